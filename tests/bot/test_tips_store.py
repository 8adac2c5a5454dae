"""Tips storage and the weekly broadcast on SQLite and PostgreSQL: subscriptions, rotation state,
a once-per-week enqueue even with two processes racing, and the scheduler on a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery import Outbox
from bot.guidance.library import Library
from bot.guidance.schema import Tip
from bot.settings import load_settings
from bot.store import Database
from bot.store.repos import ConfigRepo
from bot.tips.broadcast import key_prefix
from bot.tips.job import WeeklyTipJob
from bot.tips.service import TipsService
from tests.dbs import backends, url_for


def make_library(n_tips: int) -> Library:
    tips = [
        Tip(
            id=f"tip-{i:02d}",
            topic="gifts",
            title=f"Tip number {i}",
            body="A short body that is long enough to pass the schema check.",
            phrasing="Words you can say to a client.",
        )
        for i in range(n_tips)
    ]
    return Library(topics={}, categories={}, catalogue={}, tips=tips)


async def make_service(url: str, library: Library, **settings: Any) -> TipsService:
    import bot.tips.tables  # noqa: F401 - registers the tables

    db = Database(url)
    await db.create_schema()
    s = load_settings(DATABASE_URL=url, **settings)
    return TipsService(db, Outbox(db), ConfigRepo(db), s, lambda: library)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@backends
async def test_subscribe_is_idempotent_and_unsubscribe_forgets(backend: str, tmp_path) -> None:
    tips = await make_service(await url_for(backend, tmp_path), make_library(3))
    assert await tips.subscribe("U1") is True
    assert await tips.subscribe("U1") is False
    assert await tips.is_subscribed("U1")
    assert await tips.unsubscribe("U1") is True
    assert await tips.unsubscribe("U1") is False
    assert not await tips.is_subscribed("U1")
    await tips.db.close()


@backends
async def test_weekly_rotation_never_repeats_until_all_shown(backend: str, tmp_path) -> None:
    tips = await make_service(await url_for(backend, tmp_path), make_library(4))
    await tips.subscribe("U1")
    monday = utc(2025, 1, 6, 9)
    shown = []
    for week in range(9):
        result = await tips.broadcast(monday + timedelta(weeks=week))
        assert result.created and result.tip is not None
        assert await tips.tip_of_week(monday + timedelta(weeks=week)) == result.tip
        shown.append(result.tip.id)
    assert len(set(shown[:4])) == 4 and len(set(shown[4:8])) == 4
    assert shown[8] in shown[:4]
    # Every week stored its own row per recipient.
    assert (await tips.outbox.counts("tip:2025-W02:")) == {"pending": 1}
    await tips.db.close()


@backends
async def test_same_week_enqueues_once_and_reaches_everyone(backend: str, tmp_path) -> None:
    tips = await make_service(
        await url_for(backend, tmp_path), make_library(3), TIPS_CHANNEL_IDS="C0TIPS,C0MORE"
    )
    for i in range(25):
        await tips.subscribe(f"U{i:04d}")
    now = utc(2025, 1, 8, 12)
    first = await tips.broadcast(now)
    again = await tips.broadcast(now + timedelta(days=3))  # same ISO week
    assert first.created and first.recipients == 27
    assert not again.created
    assert (await tips.counts(first.week)) == {"pending": 27}
    report = await tips.report()
    assert report is not None and report.pending == 27 and report.record.week == first.week
    await tips.db.close()


@backends
async def test_nobody_to_send_to_leaves_the_week_open(backend: str, tmp_path) -> None:
    tips = await make_service(await url_for(backend, tmp_path), make_library(3))
    result = await tips.broadcast(utc(2025, 1, 8))
    assert not result.created and result.recipients == 0
    await tips.subscribe("U1")
    assert (await tips.broadcast(utc(2025, 1, 8))).created
    await tips.db.close()


@backends
async def test_two_processes_racing_enqueue_one_week(backend: str, tmp_path) -> None:
    url = await url_for(backend, tmp_path)
    library = make_library(5)
    a = await make_service(url, library, TIPS_CHANNEL_IDS="C0TIPS")
    b = await make_service(url, library, TIPS_CHANNEL_IDS="C0TIPS")
    for i in range(40):
        await a.subscribe(f"U{i:04d}")
    now = utc(2025, 2, 3, 9)
    results = await asyncio.gather(*(svc.broadcast(now) for svc in (a, b, a, b)))
    assert sum(r.created for r in results) == 1
    assert (await a.counts(results[0].week)) == {"pending": 41}
    await a.db.close()
    await b.db.close()


@backends
async def test_admin_settings_override_environment(backend: str, tmp_path) -> None:
    tips = await make_service(
        await url_for(backend, tmp_path),
        make_library(2),
        TIPS_CHANNEL_IDS="C0ENV",
        TIPS_SCHEDULE="MON 09:00",
        TIPS_TIMEZONE="UTC",
    )
    assert (await tips.current_config()).channels == ("C0ENV",)
    await tips.update_config(["C0NEW"], "wed 14:30", "America/Chicago")
    cfg = await tips.current_config()
    assert (cfg.channels, cfg.schedule, cfg.timezone) == (
        ("C0NEW",),
        "WED 14:30",
        "America/Chicago",
    )
    await tips.update_config([], "WED 14:30", "America/Chicago")  # no channels is a choice
    assert (await tips.current_config()).channels == ()
    try:
        await tips.update_config([], "WED 25:00", "Mars/Olympus")
    except ValueError as exc:
        assert "schedule" in str(exc) and "timezone" in str(exc)
    else:
        raise AssertionError("invalid settings were saved")
    await tips.db.close()


class FakeClock:
    """Jumps straight to the end of every sleep; stops the job when `until` is reached."""

    def __init__(self, start: datetime, until: datetime) -> None:
        self.t = start
        self.until = until
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.t

    async def sleep(self, seconds: float, stop: asyncio.Event) -> None:
        self.sleeps.append(seconds)
        self.t += timedelta(seconds=seconds)
        if self.t >= self.until:
            stop.set()
        await asyncio.sleep(0)


async def _run_job(tips: TipsService, clock: FakeClock) -> list[tuple[datetime, str]]:
    fired: list[tuple[datetime, str]] = []
    broadcast = tips.broadcast

    async def spy(now: datetime | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        result = await broadcast(now, **kw)
        if result.created:
            fired.append((clock.now(), result.week))
        return result

    tips.broadcast = spy  # type: ignore[method-assign]

    class Svc:
        extra = {"tips": tips}

    await asyncio.wait_for(WeeklyTipJob(clock, recheck=86400)(Svc(), None, asyncio.Event()), 30)
    return fired


@backends
async def test_scheduler_fires_weekly_at_local_time_across_dst(backend: str, tmp_path) -> None:
    tips = await make_service(
        await url_for(backend, tmp_path),
        make_library(10),
        TIPS_SCHEDULE="MON 09:00",
        TIPS_TIMEZONE="America/Chicago",
    )
    await tips.subscribe("U1")
    # From Thursday 2025-02-27 for four weeks; Chicago moves to CDT on 2025-03-09.
    clock = FakeClock(utc(2025, 2, 27, 12), utc(2025, 3, 25))
    fired = await _run_job(tips, clock)
    assert fired == [
        (utc(2025, 3, 3, 15, 0), "2025-W10"),  # 09:00 CST
        (utc(2025, 3, 10, 14, 0), "2025-W11"),  # 09:00 CDT
        (utc(2025, 3, 17, 14, 0), "2025-W12"),
        (utc(2025, 3, 24, 14, 0), "2025-W13"),
    ]
    assert len(set(await tips.repo.all_history())) == 4
    await tips.db.close()


@backends
async def test_scheduler_catches_up_after_a_short_outage_only(backend: str, tmp_path) -> None:
    tips = await make_service(await url_for(backend, tmp_path), make_library(3))
    await tips.subscribe("U1")
    # Started two hours after Monday 09:00 UTC: this week's tip still goes, once.
    fired = await _run_job(tips, FakeClock(utc(2025, 3, 3, 11), utc(2025, 3, 4)))
    assert fired == [(utc(2025, 3, 3, 11), "2025-W10")]
    # Started on Thursday: nothing until next Monday.
    tips2 = await make_service(await url_for(backend, tmp_path / "b"), make_library(3))
    await tips2.subscribe("U1")
    fired = await _run_job(tips2, FakeClock(utc(2025, 3, 6, 11), utc(2025, 3, 10, 10)))
    assert fired == [(utc(2025, 3, 10, 9), "2025-W11")]
    await tips.db.close()
    await tips2.db.close()


@backends
async def test_scheduler_follows_a_changed_schedule(backend: str, tmp_path) -> None:
    tips = await make_service(await url_for(backend, tmp_path), make_library(3))
    await tips.subscribe("U1")
    await tips.update_config([], "WED 07:15", "Asia/Tokyo")
    fired = await _run_job(tips, FakeClock(utc(2025, 3, 3), utc(2025, 3, 13)))
    assert fired == [(utc(2025, 3, 4, 22, 15), "2025-W10"), (utc(2025, 3, 11, 22, 15), "2025-W11")]
    assert key_prefix("2025-W10") == "tip:2025-W10:"
    await tips.db.close()
