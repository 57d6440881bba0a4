"""The Telegram adapter (aiogram 3): updates → dialog inputs, replies → messages. No decisions."""
