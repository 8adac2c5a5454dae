"""Block Kit for weekly tips: the tip message (DM or channel), `/tips` replies, the App Home
section and the tips part of the admin settings modal. Pure functions; slack_sdk validates."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)

from bot.ports import OutMessage
from bot.settings import WEEKDAYS
from bot.tips.service import Report, TipsConfig
from handlers.slack import ids
from handlers.slack.render.common import clip, escape, quote, to_dicts

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

HELP = (
    "*Weekly boundary tips*\n"
    "• `/tips subscribe`: a short boundary tip by DM every week\n"
    "• `/tips unsubscribe`: stop them\n"
    "• `/tips now`: this week's tip, just for you"
)


def tip_blocks(data: dict[str, Any], *, dm: bool, subscribed: bool | None = None) -> list[Block]:
    """`data` is a tip message's data (bot.tips.broadcast.tip_message). `subscribed` is None in
    broadcasts; for `/tips now` it says whether to offer subscribing."""
    title = escape(data["title"])
    blocks: list[Block] = [
        SectionBlock(
            block_id="tip",
            text=clip(f":bulb: *Boundary tip of the week: {title}*\n{escape(data['body'])}", 3000),
        ),
        SectionBlock(
            block_id="tip_phrasing",
            text=clip(f"*Words you can use*\n{quote(escape(data['phrasing']))}", 3000),
        ),
    ]
    buttons = [
        ButtonElement(
            text="Read the full guidance", action_id=ids.TIPS_MORE, value=str(data["topic"])
        )
    ]
    if dm:
        buttons.append(
            ButtonElement(text="Unsubscribe", action_id=ids.TIPS_UNSUBSCRIBE, value="unsubscribe")
        )
    blocks.append(ActionsBlock(block_id="tip_actions", elements=buttons))
    if dm:
        note = "You get this weekly because you subscribed. The Unsubscribe button stops it."
    elif subscribed is False:
        note = "Get one every week by DM: `/tips subscribe`."
    else:
        note = ""
    if note:
        blocks.append(ContextBlock(block_id="tip_note", elements=[MarkdownTextObject(text=note)]))
    return blocks


def render_tip(message: OutMessage) -> list[dict[str, Any]]:
    """Outbound renderer for kind "tip" (RENDERERS)."""
    return to_dicts(tip_blocks(message.data, dm=bool(message.data.get("dm"))))


def reply(text: str) -> list[dict[str, Any]]:
    return to_dicts([SectionBlock(block_id="tips_reply", text=text)])


def help_blocks() -> list[dict[str, Any]]:
    return reply(HELP)


def describe_schedule(cfg: TipsConfig) -> str:
    day, at = cfg.schedule.split(" ")
    return f"{DAY_NAMES[WEEKDAYS.index(day)]}s at {at} ({cfg.timezone})"


def home_section(
    subscribed: bool, cfg: TipsConfig | None = None, report: Report | None = None
) -> list[Block]:
    """Everyone: their subscription and a toggle. Admins (cfg given): schedule, channels and how
    the last broadcast went."""
    blocks: list[Block] = [
        HeaderBlock(block_id="tips_head", text="Weekly tips"),
        SectionBlock(
            block_id="tips_subscription",
            text=(
                "You get a short boundary tip by DM every week."
                if subscribed
                else "Get a short boundary tip by DM every week."
            ),
            accessory=ButtonElement(
                text="Unsubscribe" if subscribed else "Subscribe",
                action_id=ids.TIPS_TOGGLE,
                value="off" if subscribed else "on",
                style=None if subscribed else "primary",
            ),
        ),
    ]
    if cfg is None:
        return blocks
    channels = ", ".join(f"<#{c}>" for c in cfg.channels) or "no channels"
    lines = [f"*Schedule:* {describe_schedule(cfg)} to subscribers and {channels}."]
    if report is None:
        lines.append("*Last broadcast:* none yet.")
    else:
        rec = report.record
        tip = f" “{escape(report.tip.title)}”" if report.tip else ""
        lines.append(
            f"*Last broadcast:* {rec.week}{tip}, started "
            f"<!date^{int(rec.created_at.timestamp())}^{{date_short_pretty}} {{time}}|"
            f"{rec.created_at:%Y-%m-%d %H:%M} UTC>: {report.delivered} delivered, "
            f"{report.pending} pending, {report.failed} failed."
        )
    blocks.append(
        ContextBlock(
            block_id="tips_admin",
            elements=[MarkdownTextObject(text=clip("\n".join(lines), 3000))],
        )
    )
    return blocks


def settings_blocks(cfg: TipsConfig) -> list[Block]:
    """The tips part of the admin settings modal."""
    day, at = cfg.schedule.split(" ")
    days = [Option(value=d, text=name) for d, name in zip(WEEKDAYS, DAY_NAMES, strict=True)]
    return [
        HeaderBlock(block_id="tips_settings_head", text="Weekly tips"),
        InputBlock(
            block_id=ids.TIPS_CHANNELS_BLOCK,
            label="Channels that get the weekly tip",
            element=ConversationMultiSelectElement(
                action_id=ids.TIPS_CHANNELS_ACTION,
                initial_conversations=list(cfg.channels) or None,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
                placeholder="Subscribers get it by DM either way",
            ),
            optional=True,
            hint="Private channels need the bot invited.",
        ),
        InputBlock(
            block_id=ids.TIPS_DAY_BLOCK,
            label="Day",
            element=StaticSelectElement(
                action_id=ids.TIPS_DAY_ACTION,
                options=days,
                initial_option=days[WEEKDAYS.index(day)],
            ),
        ),
        InputBlock(
            block_id=ids.TIPS_TIME_BLOCK,
            label="Time",
            element=TimePickerElement(action_id=ids.TIPS_TIME_ACTION, initial_time=at),
        ),
        InputBlock(
            block_id=ids.TIPS_TIMEZONE_BLOCK,
            label="Time zone",
            element=PlainTextInputElement(
                action_id=ids.TIPS_TIMEZONE_ACTION, initial_value=cfg.timezone, max_length=64
            ),
            hint="An IANA name, e.g. America/Chicago or Europe/London.",
        ),
    ]


def settings_from_state(values: dict[str, Any], current: TipsConfig) -> tuple[list[str], str, str]:
    """(channels, schedule, timezone) from the submitted modal state; missing parts keep `current`."""

    def element(block: str, action: str) -> dict[str, Any]:
        return (values.get(block) or {}).get(action) or {}

    channels = list(current.channels)
    if ids.TIPS_CHANNELS_BLOCK in values:  # present with nothing selected means "no channels"
        channels_el = element(ids.TIPS_CHANNELS_BLOCK, ids.TIPS_CHANNELS_ACTION)
        channels = list(channels_el.get("selected_conversations") or [])
    cur_day, cur_at = current.schedule.split(" ")
    day = (element(ids.TIPS_DAY_BLOCK, ids.TIPS_DAY_ACTION).get("selected_option") or {}).get(
        "value"
    ) or cur_day
    at = element(ids.TIPS_TIME_BLOCK, ids.TIPS_TIME_ACTION).get("selected_time") or cur_at
    tz = (element(ids.TIPS_TIMEZONE_BLOCK, ids.TIPS_TIMEZONE_ACTION).get("value") or "").strip()
    return channels, f"{day} {at}", tz or current.timezone


SETTINGS_ERROR_BLOCKS = {
    "channels": ids.TIPS_CHANNELS_BLOCK,
    "schedule": ids.TIPS_TIME_BLOCK,
    "timezone": ids.TIPS_TIMEZONE_BLOCK,
}
