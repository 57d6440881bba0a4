"""Transport-neutral chat dialogs: flows take the conversation state and one input and return the
new state and replies (text keys, parameters, choices). Imports neither aiogram nor FastAPI."""
