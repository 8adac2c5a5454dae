"""App Home section: a supervisor's open cases (no reporter for anonymous ones), and the
settings button for admins."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.escalation.service import escalation
from bot.runtime import Services
from handlers.slack.admins import is_admin
from handlers.slack.render.admin import admin_button
from handlers.slack.render.escalation import open_cases_section


async def escalation_home(svc: Services, user_id: str, client: Any) -> list[Block]:
    blocks: list[Block] = []
    esc = escalation(svc)
    if esc is not None:
        routing = await esc.routing()
        cases = await esc.cases_for(user_id)
        if cases or user_id in routing.supervisors or user_id == routing.backup:
            named = {c.id: who for c in cases if (who := esc.reporter_shown(c))}
            blocks += open_cases_section(cases, named, esc.clock.now())
    if await is_admin(svc, client, user_id):
        blocks += admin_button()
    return blocks
