"""The web chat for residents: the same dialogs as the Telegram bot over plain HTML forms.

`routes.py` (pages), `service.py` (one post = one dialog input in one transaction), `upload.py`
(streamed, size-limited, magic-checked photos), `device.py` (the signed device cookie),
`lookup.py` (progress by case number, rate limited). See docs/webchat.md.
"""
