"""Storage: the only place that speaks SQL (through SQLAlchemy)."""

from bot.store.db import Database

__all__ = ["Database"]
