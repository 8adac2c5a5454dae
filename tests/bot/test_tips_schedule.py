"""The weekly schedule (pure, DST-safe), the week key and the rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.guidance.schema import Tip
from bot.tips.rotation import pick_next
from bot.tips.schedule import next_fire, previous_fire, week_key


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_fire_in_utc() -> None:
    # 2025-03-03 is a Monday.
    assert next_fire("MON 09:00", "UTC", utc(2025, 3, 3, 8, 59)) == utc(2025, 3, 3, 9, 0)
    assert next_fire("MON 09:00", "UTC", utc(2025, 3, 3, 9, 0)) == utc(2025, 3, 10, 9, 0)
    assert previous_fire("MON 09:00", "UTC", utc(2025, 3, 3, 9, 0)) == utc(2025, 3, 3, 9, 0)
    assert previous_fire("MON 09:00", "UTC", utc(2025, 3, 3, 8, 0)) == utc(2025, 2, 24, 9, 0)


def test_local_time_is_kept_across_spring_forward() -> None:
    # New York: EST (UTC-5) until 2025-03-09 02:00, then EDT (UTC-4).
    tz = "America/New_York"
    first = next_fire("FRI 09:00", tz, utc(2025, 3, 3))
    second = next_fire("FRI 09:00", tz, first)
    assert first == utc(2025, 3, 7, 14, 0)
    assert second == utc(2025, 3, 14, 13, 0)  # still 09:00 on the wall clock
    assert second - first == timedelta(days=7, hours=-1)


def test_local_time_is_kept_across_fall_back() -> None:
    tz = "Europe/Berlin"  # CEST (UTC+2) until 2025-10-26 03:00, then CET (UTC+1)
    first = next_fire("MON 09:00", tz, utc(2025, 10, 20))
    assert first == utc(2025, 10, 20, 7, 0)
    assert next_fire("MON 09:00", tz, first) == utc(2025, 10, 27, 8, 0)


def test_time_missing_on_dst_day_fires_once_after_the_gap() -> None:
    tz = "America/New_York"  # 02:30 does not exist on Sunday 2025-03-09
    fire = next_fire("SUN 02:30", tz, utc(2025, 3, 8))
    assert fire == utc(2025, 3, 9, 7, 30)  # 03:30 EDT
    assert next_fire("SUN 02:30", tz, fire) == utc(2025, 3, 16, 6, 30)
    assert previous_fire("SUN 02:30", tz, fire + timedelta(minutes=1)) == fire


def test_time_repeated_on_dst_day_fires_once_at_first_occurrence() -> None:
    tz = "America/New_York"  # 01:30 happens twice on Sunday 2025-11-02
    fire = next_fire("SUN 01:30", tz, utc(2025, 11, 1))
    assert fire == utc(2025, 11, 2, 5, 30)  # 01:30 EDT
    assert next_fire("SUN 01:30", tz, fire) == utc(2025, 11, 9, 6, 30)  # not 06:30 the same day


def test_week_key_uses_local_date() -> None:
    # Sunday 23:30 in Los Angeles is already Monday (next ISO week) in UTC.
    instant = utc(2025, 3, 10, 6, 30)
    assert week_key(instant, "UTC") == "2025-W11"
    assert week_key(instant, "America/Los_Angeles") == "2025-W10"
    assert week_key(utc(2026, 1, 1), "UTC") == "2026-W01"


def _tips(n: int) -> list[Tip]:
    return [
        Tip(
            id=f"tip-{i}",
            topic="gifts",
            title=f"Tip number {i}",
            body="A short body that is long enough to pass the schema check.",
            phrasing="Words you can say to a client.",
        )
        for i in range(n)
    ]


def test_rotation_shows_every_tip_before_any_repeats() -> None:
    tips = _tips(5)
    history: list[tuple[str, int]] = []
    for _ in range(12):
        pick = pick_next(tips, history)
        assert pick is not None
        history.append((pick.tip.id, pick.cycle))
    ids = [tip_id for tip_id, _ in history]
    assert sorted(ids[:5]) == sorted(ids[5:10]) == [t.id for t in tips]
    assert len(set(ids[10:12])) == 2
    assert [c for _, c in history] == [0] * 5 + [1] * 5 + [2] * 2


def test_rotation_ignores_removed_tips_and_includes_new_ones() -> None:
    tips = _tips(3)
    history = [("gone-tip", 0), (pick_next(tips, [("gone-tip", 0)]).tip.id, 0)]  # type: ignore[union-attr]
    shown = {history[1][0]}
    more = [*tips, *_tips(5)[3:]]
    for _ in range(4):
        pick = pick_next(more, history)
        assert pick is not None and pick.cycle == 0 and pick.tip.id not in shown
        shown.add(pick.tip.id)
        history.append((pick.tip.id, pick.cycle))
    assert shown == {t.id for t in more}
    assert pick_next([], history) is None
