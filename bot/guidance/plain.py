"""Guidance as plain text, for the terminal console and `peerconsult ask`."""

from __future__ import annotations

import textwrap

from bot.guidance.service import Answer

CRISIS_TEXT = (
    "!! If someone is in immediate danger, call 911 now.\n"
    "   988 Suicide & Crisis Lifeline: call or text 988 (chat at 988lifeline.org)\n"
    "   Crisis Text Line: text HOME to 741741\n"
    "   Then call {oncall}. This tool is a reflection aid, not a crisis service."
)


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=96, initial_indent=indent, subsequent_indent=indent
    )


def render_answer(answer: Answer, oncall_line: str | None = None) -> str:
    out: list[str] = []
    if answer.crisis:
        out.append(CRISIS_TEXT.format(oncall=oncall_line or "your agency's on-call line"))
        out.append("")
    topic = answer.topic
    if topic is None:
        out.append("No topic fits this situation with confidence; take it to your supervisor.")
        if answer.alternatives:
            out.append(
                "Closest topics: " + "; ".join(f"{h.title} [{h.id}]" for h in answer.alternatives)
            )
        return "\n".join(out)
    out.append(f"== {topic.title} [{topic.id}]")
    out.append(_wrap(topic.summary))
    if topic.safety_first:
        out += ["", "Safety first:", _wrap(topic.safety_first)]
    out += ["", "What to do:"]
    out += [_wrap(f"- {s.title}. {s.detail}") for s in topic.strategies]
    out += ["", "Words you can use:"]
    out += [_wrap(f"[{p.tone}] {p.text}") for p in topic.phrasings]
    out += ["", f"When to escalate ({topic.escalation}):"]
    out += [_wrap(f"- {item}") for item in topic.escalate_when]
    for policy in answer.policies:
        out.append(_wrap(f"Policy: {policy.title} {policy.url or ''} {policy.note or ''}"))
    out += ["", "Standards: " + "; ".join(f"{s.code}: {s.note}" for s in topic.standards)]
    out.append("For supervision: " + topic.reflection)
    if answer.alternatives:
        out.append(
            "Other matches: " + "; ".join(f"{h.title} [{h.id}]" for h in answer.alternatives)
        )
    return "\n".join(out)
