"""Cases: help requests, their workflow, events and attachments."""
