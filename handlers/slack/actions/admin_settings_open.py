"""App Home "Settings (admins)": open the admin modal with the current routing."""

from __future__ import annotations

from typing import Any

from bot.escalation.routing import current_routing
from bot.tips.service import tips_of
from handlers.slack.admins import is_admin
from handlers.slack.context import services
from handlers.slack.render.admin import admin_settings_modal
from handlers.slack.render.tips import settings_blocks as tips_settings_blocks


async def admin_settings_open(ack: Any, body: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    if not await is_admin(svc, client, body["user"]["id"]):
        return
    routing = await current_routing(svc.settings, svc.config)
    tips_blocks = tips_settings_blocks(await tips_of(svc).current_config())
    await client.views_open(
        trigger_id=body["trigger_id"], view=admin_settings_modal(routing, tips_blocks)
    )
