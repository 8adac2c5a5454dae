""" "Escalate to my supervisor" on guidance: open the modal, prefilled from the topic."""

from __future__ import annotations

from typing import Any

from bot.escalation.service import escalation
from handlers.slack.context import services
from handlers.slack.render.escalation import NOT_SET_UP_FOR_WORKERS, escalation_modal


async def escalate_open(ack: Any, body: dict, action: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    if escalation(svc) is None:
        if body.get("response_url"):
            await client.chat_postEphemeral(
                channel=(body.get("channel") or {}).get("id") or body["user"]["id"],
                user=body["user"]["id"],
                text=NOT_SET_UP_FOR_WORKERS,
            )
        return
    value = action.get("value") or "none"
    topic = svc.library.get(value)
    prefill = f"About: {topic.title}\n" if topic is not None else ""
    urgency = "urgent" if value == "urgent" else "routine"
    await client.views_open(trigger_id=body["trigger_id"], view=escalation_modal(prefill, urgency))
