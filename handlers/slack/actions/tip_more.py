"""A tip's "Read the full guidance" button: its topic's guidance in a modal."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.home import guidance_modal


async def tip_more(ack: Any, body: dict, action: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    topic = svc.library.get(action.get("value") or "")
    if topic is None:
        return
    await client.views_open(trigger_id=body["trigger_id"], view=guidance_modal(topic, svc.library))
