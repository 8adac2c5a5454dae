"""A bare Bolt app that acknowledges /boundary with static text: the latency floor to compare with.

Served the same way as peerconsult (aiohttp + Bolt's adapter), so the difference is our work.
"""

from __future__ import annotations

import os

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def main() -> None:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/boundary")
    async def boundary(ack):  # type: ignore[no-untyped-def]
        await ack(response_type="ephemeral", text="Thanks, noted.")

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web.run_app(
        web_app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )


if __name__ == "__main__":
    main()
