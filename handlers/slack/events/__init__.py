"""Events API listeners."""

from slack_bolt.async_app import AsyncApp

from handlers.slack.events.app_home import app_home_opened, home_sections
from handlers.slack.events.escalation_home import escalation_home
from handlers.slack.events.message import message_event
from handlers.slack.events.tips_home import tips_home


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.event("message")(message_event)
    if escalation_home not in home_sections:  # apps are built more than once in tests
        home_sections.append(escalation_home)
    if tips_home not in home_sections:
        home_sections.append(tips_home)
