"""SQL for tips: subscriptions and the weekly broadcast records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.common import as_utc, insert_ignore, utcnow
from bot.store.db import Database
from bot.tips.tables import tip_subscriptions as subs
from bot.tips.tables import tip_weeks as weeks


@dataclass(frozen=True)
class WeekRecord:
    week: str
    tip_id: str
    cycle: int
    recipients: int
    trigger: str
    created_at: datetime


def _record(row) -> WeekRecord:  # type: ignore[no-untyped-def]
    return WeekRecord(
        week=row.week,
        tip_id=row.tip_id,
        cycle=row.cycle,
        recipients=row.recipients,
        trigger=row.trigger,
        created_at=as_utc(row.created_at) or utcnow(),
    )


class TipsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.engine.dialect.name

    # ---- subscriptions --------------------------------------------------------------------
    async def subscribe(self, user_id: str) -> bool:
        """True when newly subscribed (already subscribed is fine, and changes nothing)."""
        async with self.db.engine.begin() as conn:
            res = await conn.execute(
                insert_ignore(self.dialect, subs, {"user_id": user_id, "subscribed_at": utcnow()})
            )
        return res.rowcount == 1

    async def unsubscribe(self, user_id: str) -> bool:
        async with self.db.engine.begin() as conn:
            res = await conn.execute(delete(subs).where(subs.c.user_id == user_id))
        return res.rowcount == 1

    async def is_subscribed(self, user_id: str) -> bool:
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(select(subs.c.user_id).where(subs.c.user_id == user_id))
            ).first()
        return row is not None

    async def subscriber_count(self) -> int:
        async with self.db.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(subs))).scalar_one())

    @staticmethod
    async def subscribers(conn: AsyncConnection) -> list[str]:
        rows = await conn.execute(select(subs.c.user_id).order_by(subs.c.user_id))
        return [r[0] for r in rows]

    # ---- weekly records -------------------------------------------------------------------
    @staticmethod
    async def history(conn: AsyncConnection) -> list[tuple[str, int]]:
        rows = await conn.execute(select(weeks.c.tip_id, weeks.c.cycle).order_by(weeks.c.week))
        return [(r[0], r[1]) for r in rows]

    async def claim_week(
        self,
        conn: AsyncConnection,
        *,
        week: str,
        tip_id: str,
        cycle: int,
        recipients: int,
        trigger: str,
    ) -> bool:
        """Record the week inside the caller's transaction; False when another run has it."""
        values = {
            "week": week,
            "tip_id": tip_id,
            "cycle": cycle,
            "recipients": recipients,
            "trigger": trigger,
            "created_at": utcnow(),
        }
        res = await conn.execute(insert_ignore(self.dialect, weeks, values))
        return res.rowcount == 1

    async def week(self, week: str) -> WeekRecord | None:
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(select(weeks).where(weeks.c.week == week))).first()
        return None if row is None else _record(row)

    async def last_week(self) -> WeekRecord | None:
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(select(weeks).order_by(weeks.c.week.desc()).limit(1))).first()
        return None if row is None else _record(row)

    async def all_history(self) -> list[tuple[str, int]]:
        async with self.db.engine.connect() as conn:
            return await self.history(conn)
