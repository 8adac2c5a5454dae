"""Case button (reporter side): withdraw the case whose id is the button's value."""

from __future__ import annotations

from typing import Any

from bot.escalation.service import escalation
from handlers.slack.context import services
from handlers.slack.render.escalation import outcome_text


async def case_withdraw(ack: Any, body: dict, action: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    esc = escalation(services(context))
    if esc is None:
        return
    outcome = await esc.withdraw(action.get("value", ""), body["user"]["id"])
    await respond(
        response_type="ephemeral", replace_original=False, text=outcome_text("withdraw", outcome)
    )
