"""Entry points the CLI calls for Slack: serve the bot, run a tip broadcast."""

from __future__ import annotations

from bot.runtime import Services
from handlers.slack.app import build_app
from handlers.slack.server import serve


async def run(svc: Services) -> None:
    app = build_app(svc)
    await serve(app, svc, workers=[])
