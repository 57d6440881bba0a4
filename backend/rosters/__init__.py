"""Rosters: importing the Excel/CSV lists township offices keep (低保, 特困, 残疾人 …)."""
