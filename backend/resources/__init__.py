"""Resource directory for referrals: departments, providers, charities and volunteer teams."""
