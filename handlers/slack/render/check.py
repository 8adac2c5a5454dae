"""Renders every topic and tip the way Slack would receive them and reports what breaks a limit."""

from __future__ import annotations

from slack_sdk.errors import SlackObjectFormationError

from bot.guidance.library import Library
from bot.guidance.service import GuidanceService
from bot.tips.broadcast import tip_message
from handlers.slack.render.common import to_dicts
from handlers.slack.render.guidance import answer_blocks, shared_blocks
from handlers.slack.render.home import guidance_modal, home_view
from handlers.slack.render.tips import render_tip, tip_blocks


def render_faults(library: Library) -> list[str]:
    faults: list[str] = []
    service = GuidanceService(library, searcher=None, oncall_line="555-0100 (24/7 on-call)")  # type: ignore[arg-type]
    for topic in library.topics.values():
        answer = service.topic_answer(topic.id, query="x" * 200)
        assert answer is not None
        for name, render in (
            ("answer", lambda a=answer: answer_blocks(a, library, service.oncall_line)),
            ("shared", lambda t=topic: shared_blocks(t, library.policies_for(t))),
            ("modal", lambda t=topic: guidance_modal(t, library)),
        ):
            try:
                render()
            except (SlackObjectFormationError, ValueError) as exc:
                faults.append(
                    f"topics/{topic.id}.yaml: too long for Slack once rendered ({name}): {exc}"
                )
    faults += tip_faults(library)
    try:
        home_view(library)
    except (SlackObjectFormationError, ValueError) as exc:
        faults.append(f"App Home does not render: {exc}")
    return faults


def tip_faults(library: Library) -> list[str]:
    """Every tip as a DM, as a channel post and as a `/tips now` reply; its "more" topic must exist."""
    faults: list[str] = []
    for tip in library.tips:
        where = f"tips/tips.yaml: {tip.id}"
        if library.get(tip.topic) is None:
            faults.append(f"{where}: topic {tip.topic!r} has no guidance for the Read more button")
        for dm in (True, False):
            message = tip_message(tip, library, week="2099-W52", dm=dm)
            try:
                render_tip(message)
                to_dicts(tip_blocks(message.data, dm=False, subscribed=False))
            except (SlackObjectFormationError, ValueError) as exc:
                faults.append(f"{where}: too long for Slack once rendered: {exc}")
                break
    return faults
