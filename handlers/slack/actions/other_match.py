"""'Not quite? Other matches' buttons: swap the answer for the chosen topic."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.guidance import answer_blocks, answer_text


async def other_match(ack: Any, action: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    answer = svc.guidance.topic_answer(
        action.get("value") or action.get("selected_option", {}).get("value", "")
    )
    if answer is None:
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text="That topic is no longer in the library.",
        )
        return
    await respond(
        replace_original=True,
        text=answer_text(answer),
        blocks=answer_blocks(answer, svc.library, svc.settings.ONCALL_LINE),
    )
