"""Helpful / not helpful: a count per topic, never who pressed it."""

from __future__ import annotations

from typing import Any

from handlers.slack import ids
from handlers.slack.context import services


async def feedback(ack: Any, action: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    topic_id = action.get("value", "")
    if svc.library.get(topic_id) is None:
        return
    helpful = action.get("action_id") == ids.FEEDBACK_HELPFUL
    await svc.feedback.record(topic_id, helpful)
    reply = (
        "Thanks, glad it helped."
        if helpful
        else "Thanks for saying so. If it didn't fit, try describing it differently, or escalate to your supervisor."
    )
    await respond(response_type="ephemeral", replace_original=False, text=reply)
