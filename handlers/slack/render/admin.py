"""The admin settings modal (opened from App Home). Escalation routing now; other features add
their blocks in `admin_settings_modal` below the marked line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConversationFilter,
    ConversationSelectElement,
    HeaderBlock,
    InputBlock,
    SectionBlock,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.escalation.routing import Routing
from handlers.slack import ids


def admin_button() -> list[Block]:
    return [
        ActionsBlock(
            block_id="admin_settings",
            elements=[ButtonElement(text="Settings (admins)", action_id=ids.ADMIN_SETTINGS_OPEN)],
        )
    ]


def escalation_settings_blocks(routing: Routing) -> list[Block]:
    return [
        HeaderBlock(block_id="admin_escalation_head", text="Escalation"),
        InputBlock(
            block_id=ids.ADMIN_SUPERVISORS_BLOCK,
            label="Designated supervisors",
            element=UserMultiSelectElement(
                action_id=ids.ADMIN_SUPERVISORS_ACTION,
                initial_users=list(routing.supervisors) or None,
                placeholder="Who receives new cases",
            ),
            optional=True,
        ),
        InputBlock(
            block_id=ids.ADMIN_BACKUP_BLOCK,
            label="Backup supervisor",
            element=UserSelectElement(
                action_id=ids.ADMIN_BACKUP_ACTION,
                initial_user=routing.backup,
                placeholder="Gets cases about a supervisor, and unanswered ones",
            ),
            optional=True,
        ),
        InputBlock(
            block_id=ids.ADMIN_CHANNEL_BLOCK,
            label="Private escalation channel",
            element=ConversationSelectElement(
                action_id=ids.ADMIN_CHANNEL_ACTION,
                initial_conversation=routing.channel,
                filter=ConversationFilter(include=["private"], exclude_bot_users=True),
                placeholder="Empty: cases open in each supervisor's DM",
            ),
            optional=True,
            hint="Invite the bot to the channel. Cases about a supervisor never go here.",
        ),
    ]


def admin_settings_modal(routing: Routing, extra: Sequence[Block] = ()) -> dict[str, Any]:
    blocks: list[Block] = [
        SectionBlock(block_id="admin_intro", text="Settings saved here override the environment."),
        *escalation_settings_blocks(routing),
        # Other features (tips) add their settings blocks through `extra`, after escalation.
        *extra,
    ]
    return View(
        type="modal",
        callback_id=ids.ADMIN_SETTINGS_CALLBACK,
        title="peerconsult settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()
