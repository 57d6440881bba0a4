"""The flows: menu, intake (with the emergency path) and status."""
