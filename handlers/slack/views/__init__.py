"""Modal submissions."""

from slack_bolt.async_app import AsyncApp

from handlers.slack import ids
from handlers.slack.views.admin_settings import admin_settings_submit
from handlers.slack.views.escalation_submit import escalation_submit


def register(app: AsyncApp) -> None:
    """Escalation and admin settings register their view listeners here."""
    app.view(ids.ESCALATION_CALLBACK)(escalation_submit)
    app.view(ids.ADMIN_SETTINGS_CALLBACK)(admin_settings_submit)
