"""Message shortcut: guidance for the text of a message, shown only to the person who asked."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.guidance import answer_blocks, answer_text


async def message_guidance(ack: Any, shortcut: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    text = (shortcut.get("message") or {}).get("text") or ""
    if not text.strip():
        await respond(
            response_type="ephemeral",
            text="That message has no text I can read. Try `/boundary` and describe the situation.",
        )
        return
    answer = svc.guidance.answer(text)
    await respond(
        response_type="ephemeral",
        replace_original=False,
        text=answer_text(answer),
        blocks=answer_blocks(answer, svc.library, svc.settings.ONCALL_LINE),
    )
