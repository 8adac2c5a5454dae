"""Table definitions. Created at start-up; a migration tool can take over from SCHEMA_VERSION."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

SCHEMA_VERSION = 1
metadata = MetaData()

schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

# Runtime configuration made in Slack by an admin; overrides the environment defaults.
config = Table(
    "config",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
)

# Feedback on guidance: counts only, never who gave it.
feedback = Table(
    "feedback",
    metadata,
    Column("topic_id", String(100), primary_key=True),
    Column("helpful", Integer, nullable=False, default=0),
    Column("not_helpful", Integer, nullable=False, default=0),
)

# Events already handled (Slack delivers events at least once).
processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", String(100), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# The durable outbox: one row per message to send, written in the same transaction as the
# state change that caused it. `target` may be sealed (encrypted) when it names a reporter.
outbox = Table(
    "outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("target", LargeBinary, nullable=False),
    Column("target_sealed", Integer, nullable=False, default=0),
    Column("thread_ref", String(200), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("sent_channel", LargeBinary, nullable=True),
    Column("sent_ts", String(40), nullable=True),
    Column("in_doubt", Integer, nullable=False, default=0),
    Column("last_error", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

__all__ = [
    "SCHEMA_VERSION",
    "metadata",
    "schema_info",
    "config",
    "feedback",
    "processed_events",
    "outbox",
]
