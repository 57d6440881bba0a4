"""Staff: accounts, roles scoped to region subtrees, and the acting identity (`Actor`)."""
