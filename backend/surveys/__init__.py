"""Satisfaction surveys: asked when service starts and monthly while it lasts."""
