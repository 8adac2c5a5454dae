"""Shortcuts."""

from slack_bolt.async_app import AsyncApp

from handlers.slack import ids
from handlers.slack.shortcuts.message_guidance import message_guidance


def register(app: AsyncApp) -> None:
    app.shortcut(ids.MESSAGE_SHORTCUT)(message_guidance)
