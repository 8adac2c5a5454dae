"""The admin modal's submission: save routing (re-checking the submitter is an admin)."""

from __future__ import annotations

from typing import Any

from bot.escalation.routing import save_routing
from bot.tips.service import tips_of, validate_config
from handlers.slack import ids
from handlers.slack.admins import is_admin
from handlers.slack.context import services
from handlers.slack.events.app_home import publish_home
from handlers.slack.render.tips import SETTINGS_ERROR_BLOCKS, settings_from_state


def _element(values: dict, block: str, action: str) -> dict:  # type: ignore[type-arg]
    return values.get(block, {}).get(action) or {}


async def admin_settings_submit(
    ack: Any, body: dict, view: dict, client: Any, context: Any
) -> None:  # type: ignore[type-arg]
    svc = services(context)
    user_id = body["user"]["id"]
    if not await is_admin(svc, client, user_id):
        await ack(
            response_action="errors",
            errors={ids.ADMIN_SUPERVISORS_BLOCK: "Only workspace admins can change settings."},
        )
        return
    values = view["state"]["values"]
    supervisors = _element(values, ids.ADMIN_SUPERVISORS_BLOCK, ids.ADMIN_SUPERVISORS_ACTION)
    backup = _element(values, ids.ADMIN_BACKUP_BLOCK, ids.ADMIN_BACKUP_ACTION)
    channel = _element(values, ids.ADMIN_CHANNEL_BLOCK, ids.ADMIN_CHANNEL_ACTION)
    tips = tips_of(svc)
    tip_settings = settings_from_state(values, await tips.current_config())
    tip_errors = validate_config(*tip_settings)
    if tip_errors:  # checked before anything is saved, so a rejected form changes nothing
        await ack(
            response_action="errors",
            errors={SETTINGS_ERROR_BLOCKS[k]: msg for k, msg in tip_errors.items()},
        )
        return
    await save_routing(
        svc.config,
        list(supervisors.get("selected_users") or []),
        backup.get("selected_user"),
        channel.get("selected_conversation"),
    )
    # Other features (tips) read and save their blocks from `values` here.
    await tips.update_config(*tip_settings)
    await ack()
    await publish_home(svc, user_id, client)
