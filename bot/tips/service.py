"""The tips service the surfaces call: subscriptions, settings, this week's tip, the broadcast and
its report. Runtime settings made by an admin (ConfigRepo) override the environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.delivery import Outbox
from bot.guidance.library import Library
from bot.guidance.schema import Tip
from bot.settings import SLACK_ID_RE, Settings, parse_schedule
from bot.store import Database
from bot.store.common import utcnow
from bot.store.repos import ConfigRepo
from bot.tips.broadcast import Enqueued, enqueue_week, key_prefix
from bot.tips.repo import TipsRepo, WeekRecord
from bot.tips.rotation import pick_next
from bot.tips.schedule import week_key

CHANNELS_KEY = "tips.channels"
SCHEDULE_KEY = "tips.schedule"
TIMEZONE_KEY = "tips.timezone"


@dataclass(frozen=True)
class TipsConfig:
    channels: tuple[str, ...]
    schedule: str  # "MON 09:00"
    timezone: str  # IANA name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Report:
    record: WeekRecord
    tip: Tip | None
    delivered: int
    pending: int
    failed: int


def validate_config(channels: list[str], schedule: str, timezone: str) -> dict[str, str]:
    """Field -> problem, empty when fine (the surface shows these next to the inputs)."""
    errors: dict[str, str] = {}
    bad = [c for c in channels if not SLACK_ID_RE.match(c)]
    if bad:
        errors["channels"] = f"not channel ids: {', '.join(bad)}"
    try:
        parse_schedule(schedule)
    except ValueError as exc:
        errors["schedule"] = str(exc)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "use an IANA time zone name, e.g. America/Chicago"
    return errors


class TipsService:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        config: ConfigRepo,
        settings: Settings,
        library: Callable[[], Library],
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.config = config
        self.settings = settings
        self.library = library
        self.wake = wake
        self.repo = TipsRepo(db)

    # ---- settings -------------------------------------------------------------------------
    async def current_config(self) -> TipsConfig:
        s = self.settings
        channels = await self.config.get(CHANNELS_KEY)
        schedule = await self.config.get(SCHEDULE_KEY)
        timezone = await self.config.get(TIMEZONE_KEY)
        return TipsConfig(
            channels=tuple(s.TIPS_CHANNEL_IDS if channels is None else channels),
            schedule=schedule or s.TIPS_SCHEDULE,
            timezone=timezone or s.TIPS_TIMEZONE,
        )

    async def update_config(self, channels: list[str], schedule: str, timezone: str) -> None:
        errors = validate_config(channels, schedule, timezone)
        if errors:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in errors.items()))
        await self.config.set(CHANNELS_KEY, list(dict.fromkeys(channels)))
        await self.config.set(SCHEDULE_KEY, schedule.strip().upper())
        await self.config.set(TIMEZONE_KEY, timezone)

    # ---- subscriptions --------------------------------------------------------------------
    async def subscribe(self, user_id: str) -> bool:
        return await self.repo.subscribe(user_id)

    async def unsubscribe(self, user_id: str) -> bool:
        return await self.repo.unsubscribe(user_id)

    async def is_subscribed(self, user_id: str) -> bool:
        return await self.repo.is_subscribed(user_id)

    # ---- this week ------------------------------------------------------------------------
    async def week_now(self, now: datetime | None = None) -> str:
        return week_key(now or utcnow(), (await self.current_config()).zone)

    async def tip_of_week(self, now: datetime | None = None) -> Tip | None:
        """The tip this week's broadcast sent, or the one it will send."""
        library = self.library()
        record = await self.repo.week(await self.week_now(now))
        if record is not None:
            for tip in library.tips:
                if tip.id == record.tip_id:
                    return tip
        pick = pick_next(library.tips, await self.repo.all_history())
        return pick.tip if pick else None

    async def broadcast(self, now: datetime | None = None, *, trigger: str = "manual") -> Enqueued:
        """Store this week's delivery rows (once per week, whoever calls) and wake delivery."""
        cfg = await self.current_config()
        result = await enqueue_week(
            self.db,
            self.outbox,
            self.repo,
            self.library(),
            week=week_key(now or utcnow(), cfg.zone),
            channels=cfg.channels,
            trigger=trigger,
        )
        if result.created:
            self.wake()
        return result

    async def counts(self, week: str) -> dict[str, int]:
        return await self.outbox.counts(key_prefix(week))

    async def report(self) -> Report | None:
        record = await self.repo.last_week()
        if record is None:
            return None
        counts = await self.counts(record.week)
        tip = next((t for t in self.library().tips if t.id == record.tip_id), None)
        return Report(
            record=record,
            tip=tip,
            delivered=counts.get("sent", 0),
            pending=counts.get("pending", 0) + counts.get("sending", 0),
            failed=counts.get("failed", 0),
        )


def attach_tips(svc: Any) -> TipsService:
    """Called by bot.runtime.build_services: svc.extra["tips"]."""
    tips = TipsService(
        svc.db, svc.outbox, svc.config, svc.settings, lambda: svc.library, svc.wake_delivery
    )
    svc.extra["tips"] = tips
    return tips


def tips_of(svc: Any) -> TipsService:
    return svc.extra["tips"]
