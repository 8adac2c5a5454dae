"""The Unsubscribe button every DM tip carries."""

from __future__ import annotations

from typing import Any

from bot.tips.service import tips_of
from handlers.slack.context import services


async def tip_unsubscribe(ack: Any, body: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await ack()
    await tips_of(services(context)).unsubscribe(body["user"]["id"])
    await respond(
        response_type="ephemeral",
        replace_original=False,
        text="You're unsubscribed: no more weekly tips. `/tips subscribe` brings them back.",
    )
