"""Who may change settings in App Home: workspace admins and owners, or ADMIN_USER_IDS."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.runtime import Services


async def is_admin(svc: Services, client: Any, user_id: str) -> bool:
    if user_id in svc.settings.ADMIN_USER_IDS:
        return True
    try:
        resp = await client.users_info(user=user_id)
    except SlackApiError:
        return False  # unknown user or missing users:read: not an admin
    user = resp.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner"))
