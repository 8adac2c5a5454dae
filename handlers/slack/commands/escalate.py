"""`/escalate [concern]`: ack, then open the escalation modal prefilled with the text."""

from __future__ import annotations

from typing import Any

from bot.escalation.routing import RoutingProblem
from bot.escalation.service import escalation
from handlers.slack.context import services
from handlers.slack.render.escalation import (
    NOT_SET_UP_FOR_WORKERS,
    escalation_modal,
    not_set_up_text,
)


async def escalate_command(ack: Any, command: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    esc = escalation(services(context))
    if esc is None:
        await ack(response_type="ephemeral", text=NOT_SET_UP_FOR_WORKERS)
        return
    try:
        await esc.check_ready()
    except RoutingProblem as exc:
        await ack(response_type="ephemeral", text=not_set_up_text(str(exc)))
        return
    await ack()
    await client.views_open(
        trigger_id=command["trigger_id"], view=escalation_modal(command.get("text") or "")
    )
