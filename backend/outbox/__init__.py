"""The notification outbox: every message the system sends on its own initiative is a row first."""
