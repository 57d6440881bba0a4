"""jiuzhu package."""
