"""A topic chosen in App Home: open its guidance in a modal."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.home import guidance_modal


async def home_topic(ack: Any, body: dict, action: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    topic = svc.library.get(
        action.get("value") or action.get("selected_option", {}).get("value", "")
    )
    if topic is None:
        return
    await client.views_open(trigger_id=body["trigger_id"], view=guidance_modal(topic, svc.library))
