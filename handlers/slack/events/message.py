"""message.im / message.groups: a reply in a case thread is relayed to the other side.

The bot's own messages (bot_id, or any subtype but a file share) are never relayed, and an event
Slack delivers twice (retries) is handled once.
"""

from __future__ import annotations

from typing import Any

from bot.escalation.relay import IncomingMessage, relay_message
from bot.escalation.service import escalation
from handlers.slack.context import services

RELAYED_CHANNEL_TYPES = ("im", "group", "channel")


async def message_event(event: dict, body: dict, context: Any) -> None:  # type: ignore[type-arg]
    if event.get("bot_id") or event.get("subtype") not in (None, "file_share"):
        return
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return  # not a reply in a thread
    if event.get("channel_type", "im") not in RELAYED_CHANNEL_TYPES:
        return
    svc = services(context)
    esc = escalation(svc)
    if esc is None:
        return
    event_id = body.get("event_id")
    if event_id and not await svc.events.first_time(event_id):
        return
    await relay_message(
        esc,
        IncomingMessage(
            channel=event["channel"],
            thread_ts=thread_ts,
            ts=event["ts"],
            text=event.get("text") or "",
            has_files=bool(event.get("files")),
        ),
    )
