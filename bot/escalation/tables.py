"""Escalation tables, defined on the shared metadata so create_schema makes them.

No column holds an anonymous reporter's user id, name or DM channel in clear: `reporter` is a
Fernet token and `thread_hash` a keyed digest of the thread's channel and ts.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from bot.store.tables import metadata

esc_cases = Table(
    "esc_cases",
    metadata,
    Column("id", String(16), primary_key=True),
    Column(
        "status", String(20), nullable=False, index=True
    ),  # open|acknowledged|resolved|withdrawn
    Column("urgency", String(10), nullable=False),
    Column("anonymous", Integer, nullable=False),
    Column("about_supervisor", Integer, nullable=False, default=0),
    Column("concern", Text, nullable=True),  # emptied at purge
    Column("reporter", LargeBinary, nullable=True),  # sealed user id; emptied first at purge
    Column("assignees", JSON, nullable=False),  # supervisor user ids the case is routed to
    Column("stage", Integer, nullable=False, default=0),  # 0 waiting, 1 reminded, 2 backup
    Column("due_at", DateTime(timezone=True), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True), nullable=True),
    Column("acknowledged_by", String(20), nullable=True),  # a supervisor, never the reporter
    Column("revealed_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True, index=True),
)

# The roots of a case's threads: one per supervisor-side conversation, one on the reporter side.
# `key` is the outbox dedupe key of the root message, so replies can use thread_ref="outbox:<key>".
esc_threads = Table(
    "esc_threads",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("case_id", String(16), ForeignKey("esc_cases.id"), nullable=False, index=True),
    Column("side", String(12), nullable=False),  # supervisor|reporter
    Column("target", String(40), nullable=True),  # supervisor side only: channel or user id
    Column("thread_hash", String(40), nullable=True, unique=True),  # set once the root is sent
)
