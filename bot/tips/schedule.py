"""When the weekly tip fires: pure functions of (schedule, time zone, now), DST-safe.

A wall-clock time that does not exist on a spring-forward day resolves with the offset in force
before the change (02:30 becomes 03:30 local); one that happens twice on a fall-back day fires at
its first occurrence. Either way the tip fires exactly once that week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.settings import parse_schedule

Schedule = tuple[int, int, int]  # weekday 0-6 (Monday 0), hour, minute


def _fire_on(day: date, schedule: Schedule, tz: ZoneInfo) -> datetime:
    _, hour, minute = schedule
    local = datetime.combine(day, time(hour, minute), tzinfo=tz)  # fold=0: first occurrence
    # Round-trip through UTC so a non-existent local time gets a real instant.
    return local.astimezone(UTC)


def _candidates(schedule: Schedule, tz: ZoneInfo, now: datetime, days: range) -> list[datetime]:
    today = now.astimezone(tz).date()
    out = []
    for offset in days:
        day = today + timedelta(days=offset)
        if day.weekday() == schedule[0]:
            out.append(_fire_on(day, schedule, tz))
    return out


def next_fire(schedule: Schedule | str, tz: str | ZoneInfo, now: datetime) -> datetime:
    """The first scheduled instant strictly after `now` (UTC)."""
    sched, zone = _norm(schedule, tz)
    return min(c for c in _candidates(sched, zone, now, range(-1, 9)) if c > now)


def previous_fire(schedule: Schedule | str, tz: str | ZoneInfo, now: datetime) -> datetime:
    """The last scheduled instant at or before `now` (UTC)."""
    sched, zone = _norm(schedule, tz)
    return max(c for c in _candidates(sched, zone, now, range(-8, 2)) if c <= now)


def week_key(instant: datetime, tz: str | ZoneInfo) -> str:
    """ISO week of the local date, e.g. '2025-W07': one tip per key."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    year, week, _ = instant.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def _norm(schedule: Schedule | str, tz: str | ZoneInfo) -> tuple[Schedule, ZoneInfo]:
    sched = parse_schedule(schedule) if isinstance(schedule, str) else schedule
    return sched, tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
