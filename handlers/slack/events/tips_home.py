"""App Home section for tips: the user's subscription toggle; for admins, the schedule and how the
last broadcast went."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.runtime import Services
from bot.tips.service import tips_of
from handlers.slack.admins import is_admin
from handlers.slack.render.tips import home_section


async def tips_home(svc: Services, user_id: str, client: Any) -> list[Block]:
    tips = tips_of(svc)
    subscribed = await tips.is_subscribed(user_id)
    if not await is_admin(svc, client, user_id):
        return home_section(subscribed)
    return home_section(subscribed, await tips.current_config(), await tips.report())
