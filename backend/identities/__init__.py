"""Chat identities: who is behind a Telegram or web-chat account."""
