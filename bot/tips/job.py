"""The weekly broadcast inside `serve`: sleep until the next scheduled instant, then enqueue.

The clock is injectable so tests can run weeks (and DST changes) in milliseconds. Settings are
re-read at every wake-up, so an admin's new schedule takes effect within `recheck` seconds. A
restart shortly after the scheduled time still sends that week's tip (GRACE); the week record
makes any repeat a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.tips.schedule import next_fire, previous_fire

log = logging.getLogger("peerconsult.tips")
GRACE = timedelta(hours=6)


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float, stop: asyncio.Event) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, seconds))


class WeeklyTipJob:
    """A JOBS entry: `await job(svc, worker, stop)`."""

    def __init__(self, clock: Clock | None = None, recheck: float = 300.0) -> None:
        self.clock = clock or SystemClock()
        self.recheck = recheck

    async def tick(self, tips: Any) -> float:
        """Fire if a scheduled instant is due; return the seconds until the next one."""
        cfg = await tips.current_config()
        now = self.clock.now()
        due = previous_fire(cfg.schedule, cfg.zone, now)
        if now - due <= GRACE:
            result = await tips.broadcast(due, trigger="schedule")
            if result.created:
                log.info(
                    "weekly tip %s (%s) enqueued for %d recipients",
                    result.week,
                    result.tip.id if result.tip else "-",
                    result.recipients,
                )
        return (next_fire(cfg.schedule, cfg.zone, now) - now).total_seconds()

    async def __call__(self, svc: Any, _worker: Any, stop: asyncio.Event) -> None:
        tips = svc.extra["tips"]
        while not stop.is_set():
            try:
                wait = await self.tick(tips)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the schedule
                log.exception("weekly tip check failed; retrying in a minute")
                wait = 60.0
            await self.clock.sleep(min(wait, self.recheck), stop)
