"""Conversation state of the chat dialogs (any channel), and the record of processed updates."""
