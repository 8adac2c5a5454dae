"""Checks a block list the way Slack would: parsed by slack_sdk's models and within limits."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = 50) -> None:
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks"
    parsed = Block.parse_all(blocks)
    assert len(parsed) == len(blocks)
    for raw, block in zip(blocks, parsed, strict=True):
        assert block is not None, f"unknown block {raw.get('type')}"
        assert block.to_dict() == raw  # to_dict() validates every limit slack_sdk knows
        if raw["type"] == "section" and "text" in raw:
            assert len(raw["text"]["text"]) <= 3000


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)
