"""Composition root: the `jiuzhu` command assembles backend, dialogs, bot and scheduler.

Only this package may import every part; see tests/architecture for the import rules.
"""
