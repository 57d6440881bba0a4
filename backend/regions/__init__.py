"""Regions: the county → township → village tree every record belongs to."""
