"""App Home "Settings (admins)": open the admin modal with the current routing."""

from __future__ import annotations

from typing import Any

from bot.escalation.routing import current_routing
from handlers.slack.admins import is_admin
from handlers.slack.context import services
from handlers.slack.render.admin import admin_settings_modal


async def admin_settings_open(ack: Any, body: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    svc = services(context)
    if not await is_admin(svc, client, body["user"]["id"]):
        return
    routing = await current_routing(svc.settings, svc.config)
    await client.views_open(trigger_id=body["trigger_id"], view=admin_settings_modal(routing))
