"""The escalation repository: the only SQL for cases and their threads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.escalation.tables import esc_cases, esc_threads
from bot.store import Database
from bot.store import tables as t
from bot.store.common import as_utc

OPEN_STATUSES = ("open", "acknowledged")
CLOSED_STATUSES = ("resolved", "withdrawn")


@dataclass(frozen=True)
class CaseRow:
    id: str
    status: str
    urgency: str
    anonymous: bool
    about_supervisor: bool
    concern: str | None
    reporter: bytes | None  # sealed
    assignees: tuple[str, ...]
    stage: int
    due_at: datetime | None
    created_at: datetime
    acknowledged_by: str | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class ThreadRow:
    key: str
    case_id: str
    side: str
    target: str | None
    thread_hash: str | None


def _case(row: Any) -> CaseRow:
    return CaseRow(
        id=row["id"],
        status=row["status"],
        urgency=row["urgency"],
        anonymous=bool(row["anonymous"]),
        about_supervisor=bool(row["about_supervisor"]),
        concern=row["concern"],
        reporter=None if row["reporter"] is None else bytes(row["reporter"]),
        assignees=tuple(row["assignees"] or ()),
        stage=row["stage"],
        due_at=as_utc(row["due_at"]),
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        acknowledged_by=row["acknowledged_by"],
        closed_at=as_utc(row["closed_at"]),
    )


def _thread(row: Any) -> ThreadRow:
    return ThreadRow(row["key"], row["case_id"], row["side"], row["target"], row["thread_hash"])


class CaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- writes inside the caller's transaction (with their outbox rows) -----------------
    async def insert_case(self, conn: AsyncConnection, values: dict[str, Any]) -> bool:
        """False when the id is taken (ids are random; the caller draws another)."""
        try:
            async with conn.begin_nested():
                await conn.execute(insert(esc_cases).values(**values))
        except IntegrityError:
            return False
        return True

    async def add_thread(
        self, conn: AsyncConnection, key: str, case_id: str, side: str, target: str | None
    ) -> None:
        await conn.execute(
            insert(esc_threads).values(key=key, case_id=case_id, side=side, target=target)
        )

    async def change(
        self,
        conn: AsyncConnection,
        case_id: str,
        values: dict[str, Any],
        *,
        statuses: Sequence[str] | None = None,
        stage: int | None = None,
        anonymous: bool | None = None,
    ) -> bool:
        """Conditional update: True only for the caller whose condition still held (so two
        clicks, or two processes, never both announce the same change)."""
        c = esc_cases.c
        cond = c.id == case_id
        if statuses is not None:
            cond = and_(cond, c.status.in_(statuses))
        if stage is not None:
            cond = and_(cond, c.stage == stage)
        if anonymous is not None:
            cond = and_(cond, c.anonymous == int(anonymous))
        res = await conn.execute(update(esc_cases).where(cond).values(**values))
        return res.rowcount == 1

    async def case_in(self, conn: AsyncConnection, case_id: str) -> CaseRow | None:
        row = (
            (await conn.execute(select(esc_cases).where(esc_cases.c.id == case_id)))
            .mappings()
            .first()
        )
        return None if row is None else _case(row)

    async def threads_in(
        self, conn: AsyncConnection, case_id: str, side: str | None = None
    ) -> list[ThreadRow]:
        cond = esc_threads.c.case_id == case_id
        if side:
            cond = and_(cond, esc_threads.c.side == side)
        rows = (
            (await conn.execute(select(esc_threads).where(cond).order_by(esc_threads.c.key)))
            .mappings()
            .all()
        )
        return [_thread(r) for r in rows]

    # ---- reads ---------------------------------------------------------------------------
    async def get(self, case_id: str) -> CaseRow | None:
        async with self.db.engine.connect() as conn:
            return await self.case_in(conn, case_id)

    async def threads(self, case_id: str, side: str | None = None) -> list[ThreadRow]:
        async with self.db.engine.connect() as conn:
            return await self.threads_in(conn, case_id, side)

    async def thread_by_hash(self, thread_hash: str) -> ThreadRow | None:
        async with self.db.engine.connect() as conn:
            row = (
                (
                    await conn.execute(
                        select(esc_threads).where(esc_threads.c.thread_hash == thread_hash)
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else _thread(row)

    async def unhashed_threads(self, limit: int = 100) -> list[ThreadRow]:
        async with self.db.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(esc_threads).where(esc_threads.c.thread_hash.is_(None)).limit(limit)
                    )
                )
                .mappings()
                .all()
            )
        return [_thread(r) for r in rows]

    async def set_thread_hash(self, key: str, thread_hash: str) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                update(esc_threads).where(esc_threads.c.key == key).values(thread_hash=thread_hash)
            )

    async def open_cases(self) -> list[CaseRow]:
        async with self.db.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(esc_cases)
                        .where(esc_cases.c.status.in_(OPEN_STATUSES))
                        .order_by(esc_cases.c.created_at)
                    )
                )
                .mappings()
                .all()
            )
        return [_case(r) for r in rows]

    async def due(self, now: datetime, limit: int = 100) -> list[CaseRow]:
        c = esc_cases.c
        async with self.db.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(esc_cases)
                        .where(and_(c.status == "open", c.due_at.is_not(None), c.due_at <= now))
                        .order_by(c.due_at)
                        .limit(limit)
                    )
                )
                .mappings()
                .all()
            )
        return [_case(r) for r in rows]

    # ---- retention -----------------------------------------------------------------------
    async def closed_before(self, cutoff: datetime, limit: int = 500) -> list[str]:
        c = esc_cases.c
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(
                select(c.id)
                .where(and_(c.status.in_(CLOSED_STATUSES), c.closed_at < cutoff))
                .limit(limit)
            )
            return [r[0] for r in rows]

    async def forget_identities(self, case_ids: list[str]) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                update(esc_cases)
                .where(esc_cases.c.id.in_(case_ids))
                .values(reporter=None, concern=None)
            )

    async def delete(self, case_ids: list[str]) -> None:
        """Cases, their threads and every outbox row they caused (payloads hold the concern)."""
        async with self.db.engine.begin() as conn:
            for case_id in case_ids:
                await conn.execute(
                    delete(t.outbox).where(t.outbox.c.dedupe_key.like(f"esc:{case_id}:%"))
                )
            await conn.execute(delete(esc_threads).where(esc_threads.c.case_id.in_(case_ids)))
            await conn.execute(delete(esc_cases).where(esc_cases.c.id.in_(case_ids)))
