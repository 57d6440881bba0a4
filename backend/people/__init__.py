"""People: households, persons, their protected identifiers."""
