"""Repositories for small shared state: runtime config, feedback counts, seen events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from bot.store import tables as t
from bot.store.common import insert_ignore, upsert, utcnow
from bot.store.db import Database


class ConfigRepo:
    """Admin-made runtime settings (supervisors, channels, schedule) as JSON values."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str, default: Any = None) -> Any:
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(select(t.config.c.value).where(t.config.c.key == key))
            ).first()
        return default if row is None else row[0]

    async def all(self) -> dict[str, Any]:
        async with self.db.engine.connect() as conn:
            rows = (await conn.execute(select(t.config.c.key, t.config.c.value))).all()
        return {k: v for k, v in rows}

    async def set(self, key: str, value: Any) -> None:
        dialect = self.db.engine.dialect.name
        async with self.db.engine.begin() as conn:
            await conn.execute(
                upsert(dialect, t.config, {"key": key, "value": value}, ["key"], {"value": value})
            )

    async def unset(self, key: str) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(t.config).where(t.config.c.key == key))


class FeedbackRepo:
    """Helpful / not-helpful counts per topic, with no user id."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, topic_id: str, helpful: bool) -> None:
        col = "helpful" if helpful else "not_helpful"
        dialect = self.db.engine.dialect.name
        values = {"topic_id": topic_id, "helpful": int(helpful), "not_helpful": int(not helpful)}
        async with self.db.engine.begin() as conn:
            await conn.execute(
                upsert(dialect, t.feedback, values, ["topic_id"], {col: t.feedback.c[col] + 1})
            )

    async def counts(self, topic_id: str) -> tuple[int, int]:
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.feedback.c.helpful, t.feedback.c.not_helpful).where(
                        t.feedback.c.topic_id == topic_id
                    )
                )
            ).first()
        return (0, 0) if row is None else (row[0], row[1])


class EventLog:
    """Remembers handled Slack event ids so a retried event is handled once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_time(self, event_id: str) -> bool:
        """Record the id; True only for the first caller (atomic in the database)."""
        dialect = self.db.engine.dialect.name
        async with self.db.engine.begin() as conn:
            res = await conn.execute(
                insert_ignore(
                    dialect, t.processed_events, {"event_id": event_id, "seen_at": utcnow()}
                )
            )
        return res.rowcount == 1

    async def prune(self, older_than: timedelta = timedelta(days=2)) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                delete(t.processed_events).where(
                    t.processed_events.c.seen_at < utcnow() - older_than
                )
            )
