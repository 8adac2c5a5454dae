"""App Home and the guidance modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.guidance.library import Library
from bot.guidance.schema import Topic
from handlers.slack import ids
from handlers.slack.render.common import clip
from handlers.slack.render.guidance import topic_blocks

HOME_BLOCK_LIMIT = 100

HOW_TO = (
    "*How to use it*\n"
    "• `/boundary <situation>`: describe what's happening in your own words and get what to do, "
    "words you can say, when to escalate and the standards behind it. Only you see the answer.\n"
    "• `/boundary` on its own: browse every topic.\n"
    "• `/escalate <concern>`: open a private case with your designated supervisor, anonymously "
    "if you choose.\n"
    "• `/tips subscribe`: a short boundary tip by DM every week.\n"
    "• On any message: *More actions → Boundary guidance* for guidance on that message."
)


def topics_section(library: Library) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(block_id="topics_head", text="Topics")]
    for i, (key, topics) in enumerate(library.by_category().items()):
        if not topics:
            continue
        label = library.categories.get(key, key.title())
        blocks.append(
            SectionBlock(
                block_id=f"cat_{key}",
                text=f"*{label}*\n{len(topics)} topics",
                accessory=StaticSelectElement(
                    action_id=f"{ids.HOME_TOPIC}_{i}",
                    placeholder="Open a topic…",
                    options=[Option(value=t.id, text=clip(t.title, 75)) for t in topics[:100]],
                ),
            )
        )
    return blocks


def home_view(library: Library, extra: list[Block] | None = None) -> dict:  # type: ignore[type-arg]
    blocks: list[Block] = [
        HeaderBlock(block_id="welcome", text="Welcome to peerconsult"),
        SectionBlock(
            block_id="intro",
            text=(
                "A place to think through boundary questions with clients, patients and residents: "
                "what to do, what to say, and when to bring in your supervisor. It's a reflection "
                "aid, not a crisis service: if someone is in danger, call 911 (or 988)."
            ),
        ),
        SectionBlock(block_id="how_to", text=HOW_TO),
        *(extra or []),
        DividerBlock(),
        *topics_section(library),
        ContextBlock(
            block_id="privacy",
            elements=[
                MarkdownTextObject(
                    text="Your questions are not stored or logged. Feedback is counted per topic, without your name."
                )
            ],
        ),
    ]
    return View(type="home", blocks=blocks[:HOME_BLOCK_LIMIT]).to_dict()


def guidance_modal(topic: Topic, library: Library) -> dict:  # type: ignore[type-arg]
    blocks = topic_blocks(topic, library.policies_for(topic))
    return View(
        type="modal",
        callback_id=ids.GUIDANCE_MODAL,
        title="Boundary guidance",
        close="Close",
        blocks=blocks[:HOME_BLOCK_LIMIT],
    ).to_dict()
