"""Block actions (buttons and menus)."""

import re

from slack_bolt.async_app import AsyncApp

from handlers.slack import ids
from handlers.slack.actions.browse import browse_topic
from handlers.slack.actions.feedback import feedback
from handlers.slack.actions.home_topic import home_topic
from handlers.slack.actions.other_match import other_match
from handlers.slack.actions.share import share


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{ids.OTHER_MATCH}_\d+$"))(other_match)
    app.action(ids.BROWSE_SELECT)(browse_topic)
    app.action(ids.SHARE)(share)
    app.action(ids.FEEDBACK_HELPFUL)(feedback)
    app.action(ids.FEEDBACK_NOT_HELPFUL)(feedback)
    app.action(re.compile(rf"^{ids.HOME_TOPIC}(_\d+)?$"))(home_topic)
