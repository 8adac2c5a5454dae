"""App Home's Subscribe / Unsubscribe button. The value is the state wanted ("on"/"off"), so a
double click or a stale Home tab cannot flip it the wrong way."""

from __future__ import annotations

from typing import Any

from bot.tips.service import tips_of
from handlers.slack.context import services
from handlers.slack.events.app_home import publish_home


async def tips_toggle(ack: Any, body: dict, action: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    user = body["user"]["id"]
    if action.get("value") == "on":
        await tips_of(svc).subscribe(user)
    else:
        await tips_of(svc).unsubscribe(user)
    await publish_home(svc, user, client)
