"""`/tips [subscribe|unsubscribe|now]`: the reply comes in the ack itself (one round trip)."""

from __future__ import annotations

from typing import Any

from bot.tips.broadcast import tip_message
from bot.tips.service import tips_of
from handlers.slack.context import services
from handlers.slack.render.common import to_dicts
from handlers.slack.render.tips import help_blocks, reply, tip_blocks


async def tips_command(ack: Any, command: dict, context: Any) -> None:  # type: ignore[type-arg]
    svc = services(context)
    tips = tips_of(svc)
    user = command["user_id"]
    arg = " ".join((command.get("text") or "").lower().split())
    if arg == "subscribe":
        new = await tips.subscribe(user)
        text = (
            "You're subscribed: a short boundary tip arrives by DM every week. "
            "`/tips unsubscribe` stops it."
            if new
            else "You're already subscribed. `/tips unsubscribe` stops the weekly tip."
        )
        await ack(response_type="ephemeral", text=text, blocks=reply(text))
    elif arg == "unsubscribe":
        was = await tips.unsubscribe(user)
        text = (
            "You're unsubscribed: no more weekly tips. `/tips subscribe` brings them back."
            if was
            else "You weren't subscribed. `/tips subscribe` sends a tip by DM every week."
        )
        await ack(response_type="ephemeral", text=text, blocks=reply(text))
    elif arg == "now":
        tip = await tips.tip_of_week()
        if tip is None:
            text = "There are no tips in the library yet."
            await ack(response_type="ephemeral", text=text, blocks=reply(text))
            return
        message = tip_message(tip, svc.library, week=None, dm=False)
        blocks = tip_blocks(message.data, dm=False, subscribed=await tips.is_subscribed(user))
        await ack(response_type="ephemeral", text=message.text, blocks=to_dicts(blocks))
    else:
        await ack(response_type="ephemeral", text="Weekly boundary tips", blocks=help_blocks())
