"""One router per file, assembled in `bot.app.create_dispatcher`."""
