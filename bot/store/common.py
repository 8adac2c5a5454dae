"""Small helpers shared by repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; treat them as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def insert_ignore(dialect: str, table: Table, values: dict[str, Any]):  # type: ignore[no-untyped-def]
    """INSERT that does nothing when the primary/unique key exists (both dialects)."""
    mod = postgresql if dialect == "postgresql" else sqlite
    return mod.insert(table).values(**values).on_conflict_do_nothing()


def upsert(dialect: str, table: Table, values: dict[str, Any], keys: list[str], update: dict):  # type: ignore[no-untyped-def,type-arg]
    mod = postgresql if dialect == "postgresql" else sqlite
    stmt = mod.insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys, set_=update)
