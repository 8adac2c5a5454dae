"""Block actions (buttons and menus)."""

import re

from slack_bolt.async_app import AsyncApp

from handlers.slack import ids
from handlers.slack.actions.admin_settings_open import admin_settings_open
from handlers.slack.actions.browse import browse_topic
from handlers.slack.actions.case_acknowledge import case_acknowledge
from handlers.slack.actions.case_resolve import case_resolve
from handlers.slack.actions.case_reveal import case_reveal
from handlers.slack.actions.case_withdraw import case_withdraw
from handlers.slack.actions.escalate_open import escalate_open
from handlers.slack.actions.feedback import feedback
from handlers.slack.actions.home_topic import home_topic
from handlers.slack.actions.other_match import other_match
from handlers.slack.actions.share import share
from handlers.slack.actions.tip_more import tip_more
from handlers.slack.actions.tip_unsubscribe import tip_unsubscribe
from handlers.slack.actions.tips_toggle import tips_toggle


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{ids.OTHER_MATCH}_\d+$"))(other_match)
    app.action(ids.BROWSE_SELECT)(browse_topic)
    app.action(ids.SHARE)(share)
    app.action(ids.FEEDBACK_HELPFUL)(feedback)
    app.action(ids.FEEDBACK_NOT_HELPFUL)(feedback)
    app.action(re.compile(rf"^{ids.HOME_TOPIC}(_\d+)?$"))(home_topic)
    app.action(ids.ESCALATE_OPEN)(escalate_open)
    app.action(ids.CASE_ACK)(case_acknowledge)
    app.action(ids.CASE_RESOLVE)(case_resolve)
    app.action(ids.CASE_REVEAL)(case_reveal)
    app.action(ids.CASE_WITHDRAW)(case_withdraw)
    app.action(ids.ADMIN_SETTINGS_OPEN)(admin_settings_open)
    app.action(ids.TIPS_MORE)(tip_more)
    app.action(ids.TIPS_UNSUBSCRIBE)(tip_unsubscribe)
    app.action(ids.TIPS_TOGGLE)(tips_toggle)
