"""Modal submissions."""

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Escalation and admin settings register their view listeners here."""
