"""The topic browser's select menu: show the chosen topic's guidance."""

from __future__ import annotations

from typing import Any

from handlers.slack.actions.other_match import other_match


async def browse_topic(ack: Any, action: dict, respond: Any, context: Any) -> None:  # type: ignore[type-arg]
    await other_match(ack, action, respond, context)
