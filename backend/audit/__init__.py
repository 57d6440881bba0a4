"""Audit: an append-only record of changes, denials and views of sensitive data."""
