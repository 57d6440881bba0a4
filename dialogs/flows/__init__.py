"""The flows: menu, intake (with the emergency path), status, and the duties started by the
scheduler's buttons: visit (a worker records a visit) and survey (a resident answers)."""
