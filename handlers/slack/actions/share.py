"""'Share in channel': posts the topic's guidance (never the worker's words) where they asked."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.guidance import shared_blocks


async def share(ack: Any, action: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    topic = svc.library.get(action.get("value", ""))
    if topic is None:
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text="That topic is no longer in the library.",
        )
        return
    # response_url posts in the conversation even where the bot is not a member.
    await respond(
        response_type="in_channel",
        replace_original=False,
        text=f"Boundary guidance: {topic.title}",
        blocks=shared_blocks(topic, svc.library.policies_for(topic)),
    )
