"""Renderers for messages the delivery worker sends, by OutMessage.kind. Features add theirs."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import SectionBlock

from bot.ports import OutMessage
from handlers.slack.render.common import clip, escape, to_dicts
from handlers.slack.render.escalation import RENDERERS as ESCALATION_RENDERERS
from handlers.slack.render.tips import render_tip


def notice(message: OutMessage) -> list[dict[str, Any]]:
    """A plain notice: the fallback text, escaped, as one section."""
    return to_dicts([SectionBlock(text=clip(escape(message.text), 3000))])


RENDERERS: dict[str, Any] = {"notice": notice}
RENDERERS.update(ESCALATION_RENDERERS)
RENDERERS["tip"] = render_tip
