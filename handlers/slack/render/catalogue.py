"""The topic browser (empty /boundary) and the topic list used in App Home."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    SectionBlock,
    StaticSelectElement,
)

from bot.guidance.library import Library
from handlers.slack import ids
from handlers.slack.render.common import clip, to_dicts


def browse_select(library: Library) -> ActionsBlock:
    groups = []
    for key, topics in library.by_category().items():
        if not topics:
            continue
        label = clip(library.categories.get(key, key.title()), 75)
        options = [Option(value=t.id, text=clip(t.title, 75)) for t in topics[:100]]
        groups.append(OptionGroup(label=label, options=options))
    return ActionsBlock(
        block_id="browse",
        elements=[
            StaticSelectElement(
                action_id=ids.BROWSE_SELECT,
                placeholder="Choose a topic…",
                option_groups=groups[:100],
            )
        ],
    )


def browser_blocks(library: Library) -> list[dict]:  # type: ignore[type-arg]
    lines = []
    for key, topics in library.by_category().items():
        if topics:
            lines.append(f"*{library.categories.get(key, key)}*: {len(topics)} topics")
    blocks: list[Block] = [
        SectionBlock(
            block_id="browse_intro",
            text=(
                "Describe what's happening, e.g. `/boundary a client offered me cash`, "
                "or pick a topic below."
            ),
        ),
        browse_select(library),
        ContextBlock(
            block_id="browse_counts",
            elements=[MarkdownTextObject(text=clip(" · ".join(lines), 3000))],
        ),
    ]
    return to_dicts(blocks)
