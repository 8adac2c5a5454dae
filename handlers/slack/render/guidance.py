"""Guidance answers as Block Kit: topic, phrasings, escalation, standards, next matches."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.guidance.library import Library
from bot.guidance.schema import Topic
from bot.guidance.search import Hit
from bot.guidance.service import Answer
from handlers.slack import ids
from handlers.slack.render.catalogue import browse_select
from handlers.slack.render.common import clip, escape, quote, to_dicts
from handlers.slack.render.crisis import crisis_blocks

TONE_LABELS = {
    "gentle": "Gentle",
    "direct": "Direct",
    "written": "In writing (text or message)",
    "warm": "Warm",
    "firm": "Firm",
    "playful": "Light",
}
ESCALATION_LABELS = {
    "self": "Usually handled by you, then documented.",
    "consult": "Talk it over with your supervisor.",
    "escalate": "Report or escalate now.",
}


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def topic_blocks(topic: Topic, policies: list | None = None) -> list[Block]:
    """The topic's own guidance: everything except per-request parts. Shared, never user text."""
    blocks: list[Block] = [
        HeaderBlock(block_id="title", text=clip(topic.title, 150)),
        SectionBlock(block_id="summary", text=topic.summary),
    ]
    if topic.safety_first:
        blocks.append(
            SectionBlock(block_id="safety", text=f":warning: *Safety first.* {topic.safety_first}")
        )
    strategies = "\n".join(f"• *{s.title}.* {s.detail}" for s in topic.strategies)
    blocks.append(
        SectionBlock(block_id="strategies", text=clip(f"*What to do*\n{strategies}", 3000))
    )
    blocks.append(DividerBlock())
    blocks.append(
        SectionBlock(
            block_id="phrasings_head",
            text="*Words you can use* (adapt them to your voice, culture and policy)",
        )
    )
    for i, phrasing in enumerate(topic.phrasings):
        label = TONE_LABELS.get(phrasing.tone, phrasing.tone.title())
        blocks.append(
            SectionBlock(block_id=f"phrasing_{i}", text=f"*{label}*\n{quote(phrasing.text)}")
        )
    blocks.append(DividerBlock())
    escalate_text = f"*When to escalate* ({ESCALATION_LABELS[topic.escalation]})\n{_bullets(topic.escalate_when)}"
    blocks.append(
        SectionBlock(
            block_id="escalate_when",
            text=clip(escalate_text, 3000),
            accessory=ButtonElement(
                text="Escalate to my supervisor", action_id=ids.ESCALATE_OPEN, value=topic.id
            ),
        )
    )
    if policies:
        lines = []
        for p in policies:
            title = f"<{p.url}|{escape(p.title)}>" if p.url else f"*{escape(p.title)}*"
            lines.append(f"• {title}" + (f": {escape(p.note)}" if p.note else ""))
        blocks.append(
            SectionBlock(
                block_id="policies",
                text=clip("*Your organisation's policies*\n" + "\n".join(lines), 3000),
            )
        )
    standards = " · ".join(f"*{s.code}*: {s.note}" for s in topic.standards)
    blocks.append(
        ContextBlock(
            block_id="standards",
            elements=[MarkdownTextObject(text=clip(f"Standards: {standards}", 3000))],
        )
    )
    blocks.append(
        ContextBlock(
            block_id="reflection",
            elements=[
                MarkdownTextObject(
                    text=f":thought_balloon: For supervision: _{topic.reflection}_ Document what was said and agreed."
                )
            ],
        )
    )
    return blocks


_TOPIC_CACHE: dict[tuple[int, tuple[int, ...]], list[dict]] = {}  # type: ignore[type-arg]


def topic_dicts(topic: Topic, policies: list | None = None) -> list[dict]:  # type: ignore[type-arg]
    """topic_blocks, serialised and validated once per topic: the library is read-only."""
    key = (id(topic), tuple(id(p) for p in policies or ()))
    cached = _TOPIC_CACHE.get(key)
    if cached is None:
        cached = _TOPIC_CACHE[key] = [b.to_dict() for b in topic_blocks(topic, policies)]
    return [dict(b) for b in cached]


def _situation_context(query: str) -> list[Block]:
    if not query.strip():
        return []
    shown = escape(clip(" ".join(query.split()), 200))
    return [
        ContextBlock(
            block_id="situation", elements=[MarkdownTextObject(text=f"Your situation: _{shown}_")]
        )
    ]


def _alternatives(hits: list[Hit], label: str) -> list[Block]:
    if not hits:
        return []
    buttons = [
        ButtonElement(text=clip(hit.title, 75), action_id=f"{ids.OTHER_MATCH}_{i}", value=hit.id)
        for i, hit in enumerate(hits[:5])
    ]
    return [
        ContextBlock(block_id="others_label", elements=[MarkdownTextObject(text=label)]),
        ActionsBlock(block_id="others", elements=buttons),
    ]


def _footer(topic: Topic) -> list[Block]:
    return [
        ActionsBlock(
            block_id="guidance_actions",
            elements=[
                ButtonElement(text="Share in channel", action_id=ids.SHARE, value=topic.id),
                ButtonElement(
                    text=":thumbsup: Helpful", action_id=ids.FEEDBACK_HELPFUL, value=topic.id
                ),
                ButtonElement(
                    text=":thumbsdown: Not helpful",
                    action_id=ids.FEEDBACK_NOT_HELPFUL,
                    value=topic.id,
                ),
            ],
        )
    ]


def answer_blocks(answer: Answer, library: Library, oncall_line: str | None) -> list[dict]:  # type: ignore[type-arg]
    """The ephemeral reply to `/boundary <situation>` (or the shortcut)."""
    blocks: list[Block] = []
    if answer.crisis:
        blocks += crisis_blocks(oncall_line)
    blocks += _situation_context(answer.query)
    if answer.topic is None:
        blocks.append(
            SectionBlock(
                block_id="no_match",
                text=(
                    "I couldn't find guidance that fits this situation with confidence, and I'd "
                    "rather say so than guess. You can browse the topics, or take it to your supervisor."
                ),
            )
        )
        blocks += _alternatives(answer.alternatives, "Closest topics, in case one fits:")
        blocks.append(browse_select(library))
        blocks.append(
            ActionsBlock(
                block_id="no_match_actions",
                elements=[
                    ButtonElement(
                        text="Escalate to my supervisor", action_id=ids.ESCALATE_OPEN, value="none"
                    )
                ],
            )
        )
        return to_dicts(blocks)
    head = to_dicts(blocks)
    tail = to_dicts(
        _alternatives(answer.alternatives, "*Not quite?* Other matches:") + _footer(answer.topic)
    )
    out = head + topic_dicts(answer.topic, answer.policies) + tail
    if len(out) > 50:
        raise ValueError(f"{len(out)} blocks exceed Slack's limit of 50")
    return out


def shared_blocks(topic: Topic, policies: list | None = None) -> list[dict]:  # type: ignore[type-arg]
    """Guidance posted in a channel: the topic only, never the worker's own words."""
    intro = ContextBlock(
        block_id="shared_intro",
        elements=[MarkdownTextObject(text=":books: Boundary guidance shared from /boundary")],
    )
    return to_dicts([intro, *topic_blocks(topic, policies)])


def answer_text(answer: Answer) -> str:
    """Top-level fallback text for notifications and screen readers."""
    if answer.topic is None:
        return "No guidance fits this situation with confidence. Browse topics or escalate."
    prefix = "If someone is in danger, call 911 now. " if answer.crisis else ""
    return f"{prefix}Guidance: {answer.topic.title}"
