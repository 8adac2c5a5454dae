"""Entry points the CLI calls for Slack: serve the bot, run a tip broadcast."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.delivery import DeliveryWorker
from bot.delivery.worker import LearnedRate
from bot.escalation.service import escalation_job
from bot.guidance.library import Library
from bot.guidance.service import GuidanceService
from bot.runtime import Services, build_services
from bot.settings import Settings
from bot.tips.broadcast import KIND as TIP_KIND
from bot.tips.broadcast import key_prefix
from bot.tips.job import WeeklyTipJob
from bot.tips.service import tips_of
from handlers.slack.messenger import SlackMessenger, delivery_client
from handlers.slack.render.outbound import RENDERERS

# Background jobs besides delivery (response clock, retention, tip schedule): each gets the
# services and the delivery worker and runs until the stop event is set.
Job = Callable[[Services, DeliveryWorker, asyncio.Event], Awaitable[None]]
JOBS: list[Job] = []
JOBS.append(escalation_job)  # response clock, thread indexing, retention
JOBS.append(WeeklyTipJob())  # the weekly tip at TIPS_SCHEDULE (or the admin's schedule)


def build_worker(
    svc: Services, sealer: object | None = None, concurrency: int = 16
) -> DeliveryWorker:
    settings = svc.settings
    messenger = SlackMessenger(
        delivery_client(settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL), RENDERERS
    )
    worker = DeliveryWorker(
        svc.outbox,
        messenger,
        sealer or svc.extra.get("vault"),  # type: ignore[arg-type]
        concurrency=concurrency,
        learned=LearnedRate(svc.config),  # start paced at a rate learnt by an earlier process
    )
    svc.nudge = worker.nudge
    return worker


async def run(svc: Services) -> None:
    # Imported here: `tips broadcast` uses this module too and needs neither Bolt nor the server.
    from handlers.slack.app import build_app
    from handlers.slack.server import serve

    app = build_app(svc)
    worker = build_worker(svc)
    jobs = [worker.run] + [lambda stop, job=job: job(svc, worker, stop) for job in JOBS]
    await serve(app, svc, workers=jobs)


# A broadcast is thousands of independent DMs: enough sends in flight to keep up with the learnt
# workspace-wide rate while each waits on the database and the network.
BROADCAST_CONCURRENCY = 32


class _LibraryOnly:
    """What a broadcast needs of the guidance service: the library (tips, topic titles), loaded
    only when first needed. No search index or embeddings are built, and a rerun whose week is
    already stored does not even read the library: its rows carry their messages."""

    def __init__(self, load: Callable[[], Library]) -> None:
        self._load = load
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = self._load()
        return self._library


async def broadcast_now(
    settings: Settings, guidance: GuidanceService | Library | Callable[[], Library]
) -> int:
    """`peerconsult tips broadcast`: enqueue this week's rows (once per week) and send them until
    every one is sent or failed. Rows a killed earlier run left behind are reconciled, not resent.

    `guidance` may be the whole service, just the library, or a function loading the library
    (the command's choice: a rerun after a crash then starts sending soonest)."""
    if isinstance(guidance, Library):
        library = guidance
        guidance = _LibraryOnly(lambda: library)
    elif not isinstance(guidance, GuidanceService):
        guidance = _LibraryOnly(guidance)
    svc = await build_services(settings, guidance)  # type: ignore[arg-type]
    try:
        tips = tips_of(svc)
        week = await tips.week_now()
        if await tips.repo.week(week) is None:  # else stored already: resume it
            week = (await tips.broadcast(trigger="command")).week
        prefix = key_prefix(week)
        before = await svc.outbox.counts(prefix)
        if not before:
            reason = "no tips in the library" if not svc.library.tips else "nobody to send to"
            print(f"tips broadcast {week}: nothing to send ({reason})")
            return 0
        worker = build_worker(svc, concurrency=BROADCAST_CONCURRENCY)
        worker.kinds = (TIP_KIND,)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            counts = before
            while counts.get("pending") or counts.get("sending"):
                await asyncio.sleep(0.2)
                if task.done():
                    await task  # the worker died: surface its error
                counts = await svc.outbox.counts(prefix)
        finally:
            stop.set()
            worker.nudge()
            await task
        record = await tips.repo.week(week)
        sent, failed = counts.get("sent", 0), counts.get("failed", 0)
        print(
            f"tips broadcast {week}: tip {record.tip_id if record else '?'}, "
            f"{sent + failed} recipients: {sent} delivered ({sent - before.get('sent', 0)} now), "
            f"{failed} failed"
        )
        return 0
    finally:
        await svc.db.close()
