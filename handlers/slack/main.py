"""Entry points the CLI calls for Slack: serve the bot, run a tip broadcast."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.delivery import DeliveryWorker
from bot.escalation.service import escalation_job
from bot.runtime import Services, build_services
from bot.settings import Settings
from bot.tips.broadcast import KIND as TIP_KIND
from bot.tips.broadcast import key_prefix
from bot.tips.job import WeeklyTipJob
from bot.tips.service import tips_of
from handlers.slack.app import build_app
from handlers.slack.messenger import SlackMessenger, delivery_client
from handlers.slack.render.outbound import RENDERERS
from handlers.slack.server import serve

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
        svc.outbox, messenger, sealer or svc.extra.get("vault"), concurrency=concurrency
    )  # type: ignore[arg-type]
    svc.nudge = worker.nudge
    return worker


async def run(svc: Services) -> None:
    app = build_app(svc)
    worker = build_worker(svc)
    jobs = [worker.run] + [lambda stop, job=job: job(svc, worker, stop) for job in JOBS]
    await serve(app, svc, workers=jobs)


# A broadcast is thousands of independent DMs: enough sends in flight to keep up with the learnt
# workspace-wide rate while each waits on the database and the network.
BROADCAST_CONCURRENCY = 32


async def broadcast_now(settings: Settings, guidance: object) -> int:
    """`peerconsult tips broadcast`: enqueue this week's rows (once per week) and send them until
    every one is sent or failed. Rows a killed earlier run left behind are reconciled, not resent."""
    svc = await build_services(settings, guidance)  # type: ignore[arg-type]
    try:
        result = await tips_of(svc).broadcast(trigger="command")
        prefix = key_prefix(result.week)
        before = await svc.outbox.counts(prefix)
        if not before:
            reason = "no tips in the library" if not svc.library.tips else "nobody to send to"
            print(f"tips broadcast {result.week}: nothing to send ({reason})")
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
        record = await tips_of(svc).repo.week(result.week)
        sent, failed = counts.get("sent", 0), counts.get("failed", 0)
        print(
            f"tips broadcast {result.week}: tip {record.tip_id if record else '?'}, "
            f"{sent + failed} recipients: {sent} delivered ({sent - before.get('sent', 0)} now), "
            f"{failed} failed"
        )
        return 0
    finally:
        await svc.db.close()
