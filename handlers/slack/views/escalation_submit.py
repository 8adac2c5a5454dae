"""The escalation modal's submission: the case and its deliveries are stored before the ack
closes the modal; problems show beside the field instead."""

from __future__ import annotations

from typing import Any

from bot.escalation.cases import CaseError, NewCase
from bot.escalation.service import escalation
from handlers.slack import ids
from handlers.slack.context import services
from handlers.slack.render.escalation import ABOUT_SUPERVISOR, NOT_SET_UP_FOR_WORKERS

FIELD_BLOCKS = {
    "concern": ids.CONCERN_BLOCK,
    "urgency": ids.URGENCY_BLOCK,
    "about_supervisor": ids.ABOUT_SUPERVISOR_BLOCK,
}


def _selected(values: dict, block: str, action: str) -> str | None:  # type: ignore[type-arg]
    option = (values.get(block, {}).get(action) or {}).get("selected_option") or {}
    return option.get("value")


def parse(user_id: str, values: dict) -> NewCase:  # type: ignore[type-arg]
    concern = (values.get(ids.CONCERN_BLOCK, {}).get(ids.CONCERN_ACTION) or {}).get("value")
    about = values.get(ids.ABOUT_SUPERVISOR_BLOCK, {}).get(ids.ABOUT_SUPERVISOR_ACTION) or {}
    return NewCase(
        reporter=user_id,
        concern=concern or "",
        urgency=_selected(values, ids.URGENCY_BLOCK, ids.URGENCY_ACTION) or "routine",
        anonymous=_selected(values, ids.ANONYMITY_BLOCK, ids.ANONYMITY_ACTION) != "named",
        about_supervisor=any(
            o.get("value") == ABOUT_SUPERVISOR for o in about.get("selected_options") or []
        ),
    )


async def escalation_submit(ack: Any, body: dict, view: dict, context: Any) -> None:  # type: ignore[type-arg]
    esc = escalation(services(context))
    if esc is None:
        await ack(response_action="errors", errors={ids.CONCERN_BLOCK: NOT_SET_UP_FOR_WORKERS})
        return
    try:
        await esc.open_case(parse(body["user"]["id"], view["state"]["values"]))
    except CaseError as exc:
        block = FIELD_BLOCKS.get(exc.field, ids.CONCERN_BLOCK)
        await ack(response_action="errors", errors={block: exc.message})
        return
    await ack()
