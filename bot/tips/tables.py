"""Tips tables, defined on the shared metadata so `create_schema` creates them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table

from bot.store.tables import metadata

# Who gets the weekly tip by DM. Unsubscribing deletes the row: nothing is kept about them.
tip_subscriptions = Table(
    "tip_subscriptions",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("subscribed_at", DateTime(timezone=True), nullable=False),
)

# One row per ISO week that had a broadcast: the rotation state, and (being the primary key) what
# makes the weekly enqueue happen once even when two processes race for it.
tip_weeks = Table(
    "tip_weeks",
    metadata,
    Column("week", String(10), primary_key=True),
    Column("tip_id", String(100), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("recipients", Integer, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
