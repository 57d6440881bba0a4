"""Thin wrappers: each job calls one backend sweep with the session and the time."""
