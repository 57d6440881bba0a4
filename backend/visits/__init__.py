"""Visit plans and visits: every recipient in service is visited at least twice a month."""
