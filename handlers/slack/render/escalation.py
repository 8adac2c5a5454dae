"""Escalation as Block Kit: the modal, both thread roots, relayed messages, case events, and
the supervisor's App Home section. Pure functions; user text is always escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.escalation.repo import CaseRow
from bot.ports import OutMessage
from handlers.slack import ids
from handlers.slack.render.common import clip, escape, quote, to_dicts
from handlers.slack.render.crisis import crisis_text

URGENCY_LABELS = {
    "routine": "Routine: this week is fine",
    "soon": "Soon: in the next day or two",
    "urgent": "Urgent: I need someone today",
}
URGENCY_SHORT = {"routine": "Routine", "soon": "Soon", "urgent": ":rotating_light: Urgent"}
ANONYMITY_LABELS = {
    "anonymous": "Anonymous: my supervisor won't see my name",
    "named": "Share my name with my supervisor",
}
ABOUT_SUPERVISOR = "yes"


def _mentions(users: Sequence[str]) -> str:
    return " ".join(f"<@{u}>" for u in users)


def _hours(value: float) -> str:
    return f"{value:g} hour" + ("" if value == 1 else "s")


# ---- the modal ---------------------------------------------------------------------------
def escalation_modal(prefill: str = "", urgency: str = "routine") -> dict[str, Any]:
    urgency_options = [Option(value=k, label=v) for k, v in URGENCY_LABELS.items()]
    anonymity_options = [Option(value=k, label=v) for k, v in ANONYMITY_LABELS.items()]
    about = Option(
        value=ABOUT_SUPERVISOR,
        label="This concern involves my supervisor",
        description="It goes to the backup supervisor instead.",
    )
    blocks: list[Block] = [
        SectionBlock(
            block_id="escalation_intro",
            text=(
                "Your concern opens a private case with your designated supervisor. You talk "
                "through the bot in a thread; if you stay anonymous, they never see your name."
            ),
        ),
        InputBlock(
            block_id=ids.CONCERN_BLOCK,
            label="What's the concern?",
            element=PlainTextInputElement(
                action_id=ids.CONCERN_ACTION,
                multiline=True,
                max_length=3000,
                initial_value=clip(prefill, 3000) if prefill.strip() else None,
                placeholder="What happened, and what you'd like help with",
            ),
        ),
        InputBlock(
            block_id=ids.URGENCY_BLOCK,
            label="How soon do you need a response?",
            element=RadioButtonsElement(
                action_id=ids.URGENCY_ACTION,
                options=urgency_options,
                initial_option=urgency_options[list(URGENCY_LABELS).index(urgency)],
            ),
        ),
        InputBlock(
            block_id=ids.ANONYMITY_BLOCK,
            label="Your name",
            element=RadioButtonsElement(
                action_id=ids.ANONYMITY_ACTION,
                options=anonymity_options,
                initial_option=anonymity_options[0],
            ),
            hint="You can choose to share your name later; once shared, it can't be taken back.",
        ),
        InputBlock(
            block_id=ids.ABOUT_SUPERVISOR_BLOCK,
            label="Routing",
            optional=True,
            element=CheckboxesElement(action_id=ids.ABOUT_SUPERVISOR_ACTION, options=[about]),
        ),
        ContextBlock(
            block_id="escalation_crisis",
            elements=[
                MarkdownTextObject(
                    text="If someone is in immediate danger, call 911 (or 988) now: don't wait for a reply."
                )
            ],
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.ESCALATION_CALLBACK,
        title="Escalate a concern",
        submit="Send",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def not_set_up_text(reason: str) -> str:
    return f"Sorry, I can't open a case right now. {reason}"


# ---- supervisor-side root ----------------------------------------------------------------
ROUTE_NOTES = {
    "primary": "",
    "about_supervisor": "Sent to you as backup supervisor: the reporter says this concern involves their designated supervisor.",
    "backup": "Sent to you as backup supervisor: the designated supervisor has not acknowledged it in time.",
}


def case_blocks(message: OutMessage) -> list[dict[str, Any]]:
    d = message.data
    reporter = f"<@{d['reporter']}>" if d.get("reporter") else "Anonymous"
    blocks: list[Block] = [
        HeaderBlock(block_id="case_head", text=f"Escalation case {d['case_id']}"),
        SectionBlock(
            block_id="case_facts",
            fields=[
                MarkdownTextObject(
                    text=f"*Urgency*\n{URGENCY_SHORT.get(d['urgency'], d['urgency'])}"
                ),
                MarkdownTextObject(text=f"*Reporter*\n{reporter}"),
            ],
        ),
        SectionBlock(
            block_id="case_concern",
            text=clip("*Concern*\n" + quote(escape(d.get("concern") or "")), 3000),
        ),
    ]
    note = ROUTE_NOTES.get(d.get("route", "primary"), "")
    if d.get("channel") and d.get("assignees"):
        note = (note + " " if note else "") + f"For {_mentions(d['assignees'])}."
    context = "Reply in this thread to talk with the reporter: text is relayed, files are not."
    blocks.append(
        ContextBlock(
            block_id="case_how",
            elements=[MarkdownTextObject(text=f"{note} {context}".strip())],
        )
    )
    blocks.append(
        ActionsBlock(
            block_id="case_actions",
            elements=[
                ButtonElement(
                    text="Acknowledge", action_id=ids.CASE_ACK, value=d["case_id"], style="primary"
                ),
                ButtonElement(
                    text="Resolve",
                    action_id=ids.CASE_RESOLVE,
                    value=d["case_id"],
                    confirm=ConfirmObject(
                        title="Resolve this case?",
                        text="The reporter is told, and replies are no longer relayed.",
                        confirm="Resolve",
                        deny="Not yet",
                    ),
                ),
            ],
        )
    )
    return to_dicts(blocks)


# ---- reporter-side root ------------------------------------------------------------------
def confirm_blocks(message: OutMessage) -> list[dict[str, Any]]:
    d = message.data
    blocks: list[Block] = []
    if d.get("urgency") == "urgent":
        blocks.append(SectionBlock(block_id="case_crisis", text=crisis_text(d.get("oncall"))))
    who = (
        "the backup supervisor, since it involves your supervisor"
        if d.get("route") == "about_supervisor"
        else "your designated supervisor"
    )
    name = (
        "You're anonymous: they don't see your name."
        if d.get("anonymous")
        else "You chose to share your name."
    )
    hours = _hours(float(d.get("remind_hours") or 24))
    blocks.append(
        SectionBlock(
            block_id="case_received",
            text=(
                f"*We received your concern.* Case `{d['case_id']}` went to {who}. {name}\n\n"
                "*What happens next*\n"
                "• Updates arrive in this thread.\n"
                "• Reply in this thread to talk with them: text is relayed, files are not.\n"
                f"• If no one acknowledges it within {hours}, we remind them, and then route "
                "it to a backup supervisor."
            ),
        )
    )
    buttons: list[ButtonElement] = []
    if d.get("anonymous"):
        buttons.append(
            ButtonElement(
                text="Share my name",
                action_id=ids.CASE_REVEAL,
                value=d["case_id"],
                confirm=ConfirmObject(
                    title="Share your name?",
                    text="Your supervisor will see who you are on this case. This can't be undone.",
                    confirm="Share my name",
                    deny="Stay anonymous",
                ),
            )
        )
    buttons.append(
        ButtonElement(
            text="Withdraw case",
            action_id=ids.CASE_WITHDRAW,
            value=d["case_id"],
            style="danger",
            confirm=ConfirmObject(
                title="Withdraw this case?",
                text="Your supervisor is told it was withdrawn, and nothing more is passed on.",
                confirm="Withdraw",
                deny="Keep it open",
            ),
        )
    )
    blocks.append(ActionsBlock(block_id="case_reporter_actions", elements=buttons))
    return to_dicts(blocks)


# ---- thread messages ---------------------------------------------------------------------
def relay_blocks(message: OutMessage) -> list[dict[str, Any]]:
    d = message.data
    who = "Your supervisor" if d.get("sender") == "supervisor" else "Reporter"
    return to_dicts(
        [
            SectionBlock(
                block_id="relay",
                text=clip(f"*{who}:*\n" + quote(escape(d.get("text") or "")), 3000),
            )
        ]
    )


def _event_text(d: dict[str, Any]) -> str:
    to_reporter = d.get("audience") == "reporter"
    event = d.get("event")
    user = f"<@{d['user']}>" if d.get("user") else "a supervisor"
    if event == "acknowledged":
        return (
            "A supervisor has acknowledged your case."
            if to_reporter
            else f":white_check_mark: Acknowledged by {user}."
        )
    if event == "resolved":
        return (
            "Your case was marked resolved. Thank you for speaking up. Replies here are no longer "
            "passed on; use `/escalate` for anything new."
            if to_reporter
            else f":ballot_box_with_check: Resolved by {user}. Replies are no longer relayed."
        )
    if event == "reminder":
        if to_reporter:
            return "No one has acknowledged your case yet, so we reminded your supervisor."
        who = _mentions(d.get("assignees") or []) or "Supervisor"
        return (
            f":alarm_clock: {who}: this case has waited {_hours(float(d.get('hours') or 0))} "
            "without acknowledgement. Please acknowledge it, or it goes to the backup supervisor."
        )
    if event == "routed_to_backup":
        return (
            "No one acknowledged your case in time, so it has gone to a backup supervisor."
            if to_reporter
            else f"Not acknowledged in time: routed to the backup supervisor {user}."
        )
    if event == "no_backup":
        return (
            "No one has acknowledged your case yet and no backup supervisor is set up. Please "
            "reach your supervisor directly or your agency's on-call line."
        )
    if event == "revealed":
        return (
            "Your name is now shared with the supervisor on this case."
            if to_reporter
            else f"The reporter chose to share their name: {user}."
        )
    if event == "withdrawn":
        return (
            "You withdrew this case. Nothing more will be passed on."
            if to_reporter
            else "The reporter withdrew this case. Replies are no longer relayed."
        )
    if event == "closed":
        return "This case is closed, so your message was not passed on."
    if event == "file_not_relayed":
        return (
            "Files aren't passed on: only text is relayed, so an attachment can't reveal who "
            "anyone is. If it matters, describe it in words."
        )
    return escape(str(d.get("text") or ""))


def event_blocks(message: OutMessage) -> list[dict[str, Any]]:
    d = message.data
    blocks: list[Block] = [SectionBlock(block_id="case_event", text=_event_text(d))]
    urgent_to_reporter = d.get("audience") == "reporter" and d.get("urgency") == "urgent"
    if urgent_to_reporter and d.get("event") in ("reminder", "routed_to_backup", "no_backup"):
        blocks.append(SectionBlock(block_id="case_crisis", text=crisis_text(d.get("oncall"))))
    return to_dicts(blocks)


RENDERERS: dict[str, Any] = {
    "case": case_blocks,
    "case_confirm": confirm_blocks,
    "case_relay": relay_blocks,
    "case_event": event_blocks,
}


# ---- App Home ------------------------------------------------------------------------------
def _age(opened: datetime, now: datetime) -> str:
    hours = int((now - opened).total_seconds() // 3600)
    return f"{hours // 24}d" if hours >= 48 else f"{hours}h"


def open_cases_section(
    cases: Sequence[CaseRow], named: dict[str, str], now: datetime, limit: int = 15
) -> list[Block]:
    """A supervisor's open cases. `named` maps case id to reporter id only for named cases;
    an anonymous case shows no reporter at all."""
    blocks: list[Block] = [HeaderBlock(block_id="esc_cases_head", text="Your open cases")]
    if not cases:
        blocks.append(SectionBlock(block_id="esc_cases_none", text="No open escalation cases."))
        return blocks
    for case in cases[:limit]:
        who = f"<@{named[case.id]}>" if case.id in named else "Anonymous"
        status = "acknowledged" if case.status == "acknowledged" else "*waiting*"
        head = (
            f"*{case.id}* · {URGENCY_SHORT.get(case.urgency, case.urgency)} · {status} · "
            f"{_age(case.created_at, now)} · {who}"
        )
        blocks.append(
            SectionBlock(
                block_id=f"esc_case_{case.id}",
                text=clip(head + "\n" + quote(escape(clip(case.concern or "", 200))), 3000),
            )
        )
    if len(cases) > limit:
        blocks.append(
            ContextBlock(
                block_id="esc_cases_more",
                elements=[MarkdownTextObject(text=f"…and {len(cases) - limit} more.")],
            )
        )
    return blocks


# ---- replies to the person who acted -------------------------------------------------------
NOT_SET_UP_FOR_WORKERS = (
    "Escalation isn't set up yet, so I can't open a case. An admin needs to run "
    "`peerconsult keygen` and set `PEERCONSULT_SECRET_KEY` (it keeps reporters' identities "
    "protected). Until then, please reach your supervisor directly; if someone is in danger, "
    "call 911 or 988."
)
OUTCOME_TEXT = {
    ("acknowledge", "done"): "Acknowledged. The reporter has been told.",
    ("resolve", "done"): "Resolved. The reporter has been told.",
    ("reveal", "done"): "Done: your supervisor now sees your name on this case.",
    ("withdraw", "done"): "Withdrawn. Your supervisor has been told.",
    ("reveal", "already"): "Your name is already shared, or the case is closed.",
}
OUTCOME_DEFAULT = {
    "already": "Nothing to change: this case is already closed or in that state.",
    "not_found": "That case no longer exists (closed cases are deleted after a while).",
    "not_allowed": "Only the person who opened this case can do that.",
}


def outcome_text(action: str, outcome: str) -> str:
    return OUTCOME_TEXT.get((action, outcome)) or OUTCOME_DEFAULT.get(outcome, "Done.")
