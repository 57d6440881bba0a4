"""Demo data for a first look: a county, staff of every role, a few residents and cases."""
