"""The outbox table's repository: rows are claimed with a conditional UPDATE, so two processes on
one database never send the same row (no in-memory lock), and a crashed claimer's rows come back
after a short lease, marked "in doubt" so they are looked up before any resend."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports import OutMessage
from bot.store import tables as t
from bot.store.common import as_utc, insert_ignore, utcnow
from bot.store.db import Database

# Short, and renewed every quarter of it: a crashed sender's rows come back within seconds.
LEASE = timedelta(seconds=8)
MAX_ATTEMPTS = 8


def tag_for(dedupe_key: str) -> str:
    """The tag a sent message carries (Slack metadata): derived from the key, reveals nothing."""
    return hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    dedupe_key: str
    kind: str
    target: bytes
    target_sealed: bool
    thread_ref: str | None
    message: OutMessage
    attempts: int
    in_doubt: bool
    created_at: datetime

    @property
    def tag(self) -> str:
        return tag_for(self.dedupe_key)


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.engine.dialect.name

    async def enqueue(
        self,
        conn: AsyncConnection,
        *,
        key: str,
        kind: str,
        target: bytes,
        message: OutMessage,
        sealed: bool = False,
        thread_ref: str | None = None,
        not_before: datetime | None = None,
    ) -> None:
        """Add a row inside the caller's transaction; a repeated key is ignored (idempotent)."""
        now = utcnow()
        values: dict[str, Any] = {
            "dedupe_key": key,
            "kind": kind,
            "target": target,
            "target_sealed": int(sealed),
            "thread_ref": thread_ref,
            "payload": message.to_json(),
            "status": "pending",
            "attempts": 0,
            "in_doubt": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
        }
        await conn.execute(insert_ignore(self.dialect, t.outbox, values))

    async def enqueue_many(
        self, conn: AsyncConnection, kind: str, rows: list[tuple[str, bytes, OutMessage]]
    ) -> None:
        """Add many (key, target, message) rows in one statement per batch (a broadcast's
        thousands of rows in one transaction); repeated keys are ignored."""
        now = utcnow()
        values = [
            {
                "dedupe_key": key,
                "kind": kind,
                "target": target,
                "target_sealed": 0,
                "thread_ref": None,
                "payload": message.to_json(),
                "status": "pending",
                "attempts": 0,
                "in_doubt": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for key, target, message in rows
        ]
        mod = postgresql if self.dialect == "postgresql" else sqlite
        stmt = mod.insert(t.outbox).on_conflict_do_nothing()
        for start in range(0, len(values), 1000):
            await conn.execute(stmt, values[start : start + 1000])

    def _claimable(self, now: datetime):  # type: ignore[no-untyped-def]
        o = t.outbox.c
        return or_(
            and_(o.status == "pending", o.next_attempt_at <= now),
            and_(o.status == "sending", o.claimed_until < now),
        )

    async def claim(
        self, worker: str, limit: int, kinds: tuple[str, ...] | None = None
    ) -> list[OutboxRow]:
        """Claim up to `limit` due rows for this worker. Rows whose earlier claim lapsed while
        sending come back with in_doubt set: the send may have reached Slack.

        One conditional UPDATE over the candidates: it re-checks each row is still claimable as
        it writes it, so of two processes racing for a row exactly one gets it, and RETURNING
        says which ones this worker got."""
        now = utcnow()
        o = t.outbox.c
        cond = self._claimable(now)
        if kinds:
            cond = and_(cond, o.kind.in_(kinds))
        async with self.db.engine.begin() as conn:
            ids = (
                (await conn.execute(select(o.id).where(cond).order_by(o.id).limit(limit)))
                .scalars()
                .all()
            )
        if not ids:
            return []
        async with self.db.engine.begin() as conn:
            rows = (
                (
                    await conn.execute(
                        update(t.outbox)
                        .where(and_(o.id.in_(ids), self._claimable(now)))
                        .values(
                            status="sending",
                            claimed_by=worker,
                            claimed_until=now + LEASE,
                            # a lapsed claim: whoever had it may have sent it
                            in_doubt=o.in_doubt + case((o.status == "sending", 1), else_=0),
                        )
                        .returning(*t.outbox.c)
                    )
                )
                .mappings()
                .all()
            )
        return sorted(
            (
                OutboxRow(
                    id=row["id"],
                    dedupe_key=row["dedupe_key"],
                    kind=row["kind"],
                    target=bytes(row["target"]),
                    target_sealed=bool(row["target_sealed"]),
                    thread_ref=row["thread_ref"],
                    message=OutMessage.from_json(row["payload"]),
                    attempts=row["attempts"],
                    in_doubt=bool(row["in_doubt"]),
                    created_at=as_utc(row["created_at"]) or now,
                )
                for row in rows
            ),
            key=lambda r: r.id,
        )

    async def renew(self, worker: str, ids: list[int]) -> set[int]:
        """Keep our claims alive while sends are in flight (a crash lets them lapse quickly).
        Returns the ids that are still ours: one that lapsed and was taken is not."""
        if not ids:
            return set()
        o = t.outbox.c
        ours = and_(o.id.in_(ids), o.claimed_by == worker, o.status == "sending")
        async with self.db.engine.begin() as conn:
            await conn.execute(update(t.outbox).where(ours).values(claimed_until=utcnow() + LEASE))
            return set((await conn.execute(select(o.id).where(ours))).scalars())

    async def _finish(self, worker: str, row_id: int, **values: Any) -> bool:
        o = t.outbox.c
        async with self.db.engine.begin() as conn:
            res = await conn.execute(
                update(t.outbox)
                .where(and_(o.id == row_id, o.claimed_by == worker, o.status == "sending"))
                .values(claimed_until=None, **values)
            )
        return res.rowcount == 1

    async def mark_sent(self, worker: str, row_id: int, channel: bytes, ts: str) -> bool:
        return await self._finish(
            worker,
            row_id,
            status="sent",
            sent_channel=channel,
            sent_ts=ts,
            sent_at=utcnow(),
            in_doubt=0,
            last_error=None,
        )

    async def mark_retry(
        self,
        worker: str,
        row: OutboxRow,
        delay: float,
        error: str,
        *,
        in_doubt: bool,
        count: bool = True,
    ) -> bool:
        attempts = row.attempts + (1 if count else 0)
        if attempts >= MAX_ATTEMPTS:
            return await self.mark_failed(worker, row.id, error, attempts=attempts)
        return await self._finish(
            worker,
            row.id,
            status="pending",
            attempts=attempts,
            in_doubt=int(in_doubt or row.in_doubt),
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            last_error=error[:200],
        )

    async def mark_failed(
        self, worker: str, row_id: int, error: str, attempts: int | None = None
    ) -> bool:
        extra = {} if attempts is None else {"attempts": attempts}
        return await self._finish(worker, row_id, status="failed", last_error=error[:200], **extra)

    async def counts(self, key_prefix: str) -> dict[str, int]:
        o = t.outbox.c
        async with self.db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(o.status, func.count())
                    .where(o.dedupe_key.like(key_prefix + "%"))
                    .group_by(o.status)
                )
            ).all()
        return {status: n for status, n in rows}

    async def sent_ref(self, key: str) -> tuple[bytes, str] | None:
        o = t.outbox.c
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(o.sent_channel, o.sent_ts).where(
                        and_(o.dedupe_key == key, o.status == "sent")
                    )
                )
            ).first()
        return None if row is None or row[1] is None else (bytes(row[0]), row[1])

    async def pending_count(self, kinds: tuple[str, ...] | None = None) -> int:
        o = t.outbox.c
        cond = o.status.in_(("pending", "sending"))
        if kinds:
            cond = and_(cond, o.kind.in_(kinds))
        async with self.db.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).where(cond))).scalar_one())


def new_worker_id() -> str:
    return uuid.uuid4().hex[:16]
