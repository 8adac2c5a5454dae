"""App Home: welcome, how to use, topics; features add their own sections through `home_sections`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.models.blocks import Block

from bot.runtime import Services
from handlers.slack.context import services
from handlers.slack.render.home import home_view

# Features (tips, escalation) append async section builders: (services, user_id, client) -> blocks.
HomeSection = Callable[[Services, str, Any], Awaitable[list[Block]]]
home_sections: list[HomeSection] = []


async def publish_home(svc: Services, user_id: str, client: Any) -> None:
    extra: list[Block] = []
    for section in home_sections:
        extra += await section(svc, user_id, client)
    await client.views_publish(user_id=user_id, view=home_view(svc.library, extra))


async def app_home_opened(event: dict, client: Any, context: Any) -> None:  # type: ignore[type-arg]
    if event.get("tab", "home") != "home":
        return
    await publish_home(services(context), event["user"], client)
