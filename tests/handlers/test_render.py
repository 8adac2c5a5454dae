"""Renderers are pure functions: check their output directly."""

from __future__ import annotations

from bot.guidance.library import load_library
from bot.guidance.search import Hit, SearchResult
from bot.guidance.service import Answer
from handlers.slack.render.common import escape
from handlers.slack.render.guidance import answer_blocks, shared_blocks
from handlers.slack.render.home import guidance_modal, home_view
from tests.blockkit import assert_valid_blocks, text_of

LIB = load_library()


def _answer(topic_id: str | None, query: str = "q", crisis: bool = False) -> Answer:
    result = SearchResult(query=query, results=[], confident=topic_id is not None, crisis=crisis)
    topic = LIB.get(topic_id) if topic_id else None
    alts = [Hit("gift-small", "A client offers you a small gift", 0.5)]
    return Answer(query=query, result=result, topic=topic, alternatives=alts)


def test_escape_neutralises_mentions_links_and_broadcasts() -> None:
    out = escape("<!channel> <@U123> <https://x|y> @here & @everyone")
    assert "<" not in out and ">" not in out
    assert "@here" not in out and "@everyone" not in out
    assert "&amp;" in out


def test_every_topic_renders_within_limits() -> None:
    for topic_id in LIB.topics:
        assert_valid_blocks(answer_blocks(_answer(topic_id, "x" * 5000), LIB, "555-0100"))
        assert_valid_blocks(shared_blocks(LIB.topics[topic_id]))
        assert_valid_blocks(guidance_modal(LIB.topics[topic_id], LIB)["blocks"], limit=100)


def test_shared_guidance_never_contains_the_question() -> None:
    blocks = shared_blocks(LIB.topics["client-romantic-interest"])
    assert "my secret situation" not in text_of(blocks)


def test_crisis_block_comes_first_with_resources() -> None:
    blocks = answer_blocks(_answer("crisis-outside-hours", crisis=True), LIB, None)
    first = blocks[0]["text"]["text"]
    assert "911" in first and "988" in first and "741741" in first and "on-call" in first


def test_no_match_offers_browser_and_escalation() -> None:
    blocks = answer_blocks(_answer(None), LIB, None)
    dump = text_of(blocks)
    assert "browse" in dump and "Escalate to my supervisor" in dump and "static_select" in dump


def test_home_view_within_limits() -> None:
    view = home_view(LIB)
    assert_valid_blocks(view["blocks"], limit=100)
