"""`/boundary [situation]`: guidance in the ack itself, so the answer arrives in one round trip."""

from __future__ import annotations

from typing import Any

from handlers.slack.context import services
from handlers.slack.render.catalogue import browser_blocks
from handlers.slack.render.guidance import answer_blocks, answer_text


async def boundary_command(ack: Any, command: dict, context: Any) -> None:  # type: ignore[type-arg]
    svc = services(context)
    text = command.get("text") or ""
    if not text.strip():
        await ack(
            response_type="ephemeral",
            text="Browse boundary guidance by topic",
            blocks=browser_blocks(svc.library),
        )
        return
    answer = svc.guidance.answer(text)
    await ack(
        response_type="ephemeral",
        text=answer_text(answer),
        blocks=answer_blocks(answer, svc.library, svc.settings.ONCALL_LINE),
    )
