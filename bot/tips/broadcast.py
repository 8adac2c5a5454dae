"""A week's broadcast: pick the tip, record the week and store one outbox row per recipient, all in
one transaction. The week record is the primary key that makes this happen once per week, whichever
process (scheduler or `peerconsult tips broadcast`) gets there first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.delivery import Outbox
from bot.guidance.library import Library
from bot.guidance.schema import Tip
from bot.ports import OutMessage
from bot.store import Database
from bot.tips.repo import TipsRepo
from bot.tips.rotation import pick_next

KIND = "tip"


def key_prefix(week: str) -> str:
    return f"tip:{week}:"


def tip_message(tip: Tip, library: Library, *, week: str | None, dm: bool) -> OutMessage:
    topic = library.get(tip.topic)
    return OutMessage(
        kind=KIND,
        text=f"Boundary tip of the week: {tip.title}. {tip.body}",
        data={
            "tip_id": tip.id,
            "title": tip.title,
            "body": tip.body,
            "phrasing": tip.phrasing,
            "topic": tip.topic,
            "topic_title": topic.title if topic else "",
            "week": week,
            "dm": dm,
        },
    )


@dataclass(frozen=True)
class Enqueued:
    week: str
    tip: Tip | None
    created: bool  # False: the week was already recorded (by this or another process)
    recipients: int


async def enqueue_week(
    db: Database,
    outbox: Outbox,
    repo: TipsRepo,
    library: Library,
    *,
    week: str,
    channels: Sequence[str],
    trigger: str,
) -> Enqueued:
    async with db.engine.begin() as conn:
        pick = pick_next(library.tips, await repo.history(conn))
        if pick is None:
            return Enqueued(week, None, False, 0)
        users = await repo.subscribers(conn)
        targets = [(u, True) for u in users] + [(c, False) for c in dict.fromkeys(channels)]
        if not targets:
            # Nobody to tell: leave the week (and the rotation) for when someone subscribes.
            return Enqueued(week, pick.tip, False, 0)
        created = await repo.claim_week(
            conn,
            week=week,
            tip_id=pick.tip.id,
            cycle=pick.cycle,
            recipients=len(targets),
            trigger=trigger,
        )
        if not created:
            return Enqueued(week, None, False, 0)
        dm_msg = tip_message(pick.tip, library, week=week, dm=True)
        channel_msg = tip_message(pick.tip, library, week=week, dm=False)
        prefix = key_prefix(week)
        await outbox.enqueue_many(
            conn,
            KIND,
            [(prefix + t, t.encode(), dm_msg if dm else channel_msg) for t, dm in targets],
        )
    return Enqueued(week, pick.tip, True, len(targets))
