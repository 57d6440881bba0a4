"""Escalation of overdue workflow steps and unacknowledged emergencies."""
