"""Fixtures: a local fake Slack Web API and the real bot HTTP server in front of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.runtime import Services, build_guidance, build_services
from bot.settings import Settings, load_settings
from handlers.slack.app import build_app
from handlers.slack.server import build_web_app
from tests.fakes.slack_api import FakeSlack
from tests.slack_client import SIGNING_SECRET, SlackSender

_GUIDANCE = {}


def shared_guidance(settings: Settings):  # type: ignore[no-untyped-def]
    """The library and search index are read-only: build them once per test run."""
    if "g" not in _GUIDANCE:
        _GUIDANCE["g"] = build_guidance(settings)
    return _GUIDANCE["g"]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/test.db"


def make_settings(fake: FakeSlack, db_url: str, **over: object) -> Settings:
    values: dict[str, object] = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": db_url,
        "ONCALL_LINE": "555-0100 (24/7 on-call)",
    }
    values.update(over)
    return load_settings(**values)


@dataclass
class RunningBot:
    svc: Services
    slack: SlackSender
    fake: FakeSlack
    url: str
    runner: web.AppRunner
    stop: asyncio.Event
    tasks: list[asyncio.Task[None]]


async def start_bot(fake: FakeSlack, settings: Settings, *, jobs: bool = True) -> RunningBot:
    """The real HTTP server plus, like `serve`, the delivery worker and background JOBS."""
    from handlers.slack.main import JOBS, build_worker

    svc = await build_services(settings, shared_guidance(settings))
    app = build_app(svc)
    runner = web.AppRunner(build_web_app(app, svc), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    if jobs:
        worker = build_worker(svc)
        worker.poll_interval = 0.05
        tasks.append(asyncio.create_task(worker.run(stop)))
        tasks += [asyncio.create_task(job(svc, worker, stop)) for job in JOBS]
    return RunningBot(svc, SlackSender(url, fake.response_url()), fake, url, runner, stop, tasks)


async def stop_bot(bot: RunningBot) -> None:
    bot.stop.set()
    for task in bot.tasks:
        try:
            await asyncio.wait_for(task, 10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
    await bot.slack.close()
    await bot.runner.cleanup()
    await bot.svc.db.close()


@pytest.fixture
async def bot(fake_slack: FakeSlack, db_url: str) -> AsyncIterator[RunningBot]:
    running = await start_bot(fake_slack, make_settings(fake_slack, db_url))
    yield running
    await stop_bot(running)
