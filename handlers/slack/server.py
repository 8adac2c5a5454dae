"""`peerconsult serve`: HTTP (POST /slack/events, GET /healthz) or Socket Mode, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.runtime import Services

log = logging.getLogger("peerconsult")
Worker = Callable[[asyncio.Event], Awaitable[None]]


def build_web_app(app: AsyncApp | None, svc: Services) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await app.async_dispatch(await to_bolt_request(request))  # type: ignore[union-attr]
        return await to_aiohttp_response(bolt_response)

    async def healthz(_request: web.Request) -> web.Response:
        if await svc.db.ping():
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "database unavailable"}, status=503)

    if app is not None:
        web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    return web_app


async def serve(app: AsyncApp, svc: Services, workers: list[Worker] | None = None) -> None:
    """Run until SIGTERM/SIGINT, then stop taking requests, let workers finish, close the store."""
    settings = svc.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    socket_handler = None
    # Socket Mode still serves /healthz so containers can be probed the same way.
    runner = web.AppRunner(
        build_web_app(None if settings.socket_mode else app, svc), access_log=None
    )
    await runner.setup()
    await web.TCPSite(runner, host="0.0.0.0", port=settings.PORT).start()
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(app, settings.SLACK_APP_TOKEN)
        await socket_handler.connect_async()
        log.info("peerconsult connected in Socket Mode (health on port %s)", settings.PORT)
    else:
        log.info("peerconsult listening on port %s (POST /slack/events)", settings.PORT)

    tasks = [asyncio.create_task(worker(stop)) for worker in workers or []]
    await stop.wait()
    log.info("shutting down")
    if socket_handler is not None:
        await socket_handler.close_async()
    await runner.cleanup()
    for task in tasks:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(task, timeout=10)
    await svc.db.close()
