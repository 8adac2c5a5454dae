"""Escaping and small Block Kit helpers shared by the renderers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from slack_sdk.models.blocks import Block

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no mentions, broadcasts, links or formatting control."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b\\1", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def to_dicts(blocks: Sequence[Block]) -> list[dict]:  # type: ignore[type-arg]
    """Serialise through slack_sdk, which validates every Block Kit limit."""
    out = [b.to_dict() for b in blocks]
    if len(out) > MESSAGE_BLOCK_LIMIT:
        raise ValueError(f"{len(out)} blocks exceed Slack's limit of {MESSAGE_BLOCK_LIMIT}")
    return out
