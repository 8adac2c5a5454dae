"""Slash commands."""

from slack_bolt.async_app import AsyncApp

from handlers.slack.commands.boundary import boundary_command
from handlers.slack.commands.escalate import escalate_command
from handlers.slack.commands.tips import tips_command


def register(app: AsyncApp) -> None:
    app.command("/boundary")(boundary_command)
    app.command("/escalate")(escalate_command)
    app.command("/tips")(tips_command)
