"""The township ledger (台账): the month's service-assistance needs as offices keep them."""
