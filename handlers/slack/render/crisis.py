"""The fixed crisis block: shown first whenever a situation signals imminent danger."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from handlers.slack import ids
from handlers.slack.render.common import escape


def crisis_text(oncall_line: str | None) -> str:
    oncall = (
        f"your agency's on-call line: *{escape(oncall_line)}*"
        if oncall_line
        else "your agency's on-call line"
    )
    return (
        ":rotating_light: *If someone is in immediate danger, call 911 now.*\n"
        "• *988* Suicide & Crisis Lifeline: call or text 988, chat at 988lifeline.org\n"
        "• Crisis Text Line: text *HOME* to *741741*\n"
        f"• Then call {oncall}.\n"
        "This bot is a reflection aid, not a crisis service: get a person involved now."
    )


def crisis_blocks(oncall_line: str | None, prefill: str = "") -> list[Block]:
    return [
        SectionBlock(block_id="crisis", text=crisis_text(oncall_line)),
        ActionsBlock(
            block_id="crisis_actions",
            elements=[
                ButtonElement(
                    text="Reach my supervisor now",
                    action_id=ids.ESCALATE_OPEN,
                    value="urgent",
                    style="danger",
                )
            ],
        ),
    ]
