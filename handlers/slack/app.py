"""Builds the Bolt AsyncApp: Web API client with retry handlers, services in context, listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Services
from handlers.slack import actions, commands, events, shortcuts, views


def make_client(token: str | None, base_url: str) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) and retries 5xx and dropped connections.

    slack_sdk only retries connection errors by default; Bolt copies these handlers into the
    per-request clients it gives listeners.
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=15,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(svc: Services) -> AsyncApp:
    settings = svc.settings
    app = AsyncApp(
        client=make_client(settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL),
        signing_secret=settings.SLACK_SIGNING_SECRET or "socket-mode-unused",
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("peerconsult.slack"),
    )

    @app.middleware
    async def inject_services(context: Any, next: Any) -> None:  # noqa: A002 - Bolt's name
        context["services"] = svc
        await next()

    for folder in (commands, actions, shortcuts, events, views):
        folder.register(app)
    return app
