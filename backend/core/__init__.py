"""Cross-cutting foundations: settings, database, errors, clock, personal-data protection."""
