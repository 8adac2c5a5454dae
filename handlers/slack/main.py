"""Entry points the CLI calls for Slack: serve the bot, run a tip broadcast."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.delivery import DeliveryWorker
from bot.escalation.service import escalation_job
from bot.runtime import Services
from handlers.slack.app import build_app
from handlers.slack.messenger import SlackMessenger, delivery_client
from handlers.slack.render.outbound import RENDERERS
from handlers.slack.server import serve

# Background jobs besides delivery (response clock, retention, tip schedule): each gets the
# services and the delivery worker and runs until the stop event is set.
Job = Callable[[Services, DeliveryWorker, asyncio.Event], Awaitable[None]]
JOBS: list[Job] = []
JOBS.append(escalation_job)  # response clock, thread indexing, retention


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
