"""Search behaviour on hand-written situations (not the dev set) and the CLI's JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.guidance.library import load_library
from bot.guidance.search import Searcher
from bot.runtime import load_embedder

LIB = load_library()
SEARCHER = Searcher(LIB, load_embedder())

# Each should find its topic in the top three, however it is phrased.
SITUATIONS = [
    (
        "resident keeps asking me to be his girlfriend",
        {"client-professes-love", "client-romantic-interest", "client-flirting"},
    ),
    ("pt's husband asked for my number so we could get a drink", {"family-seeks-relationship"}),
    ("can i accept a $50 walmart gift card from a family", {"gift-valuable-or-cash"}),
    ("my manager texts me at midnight about case notes and expects an answer", {"workload-limits"}),
    ("cleint wants to folow me on insta", {"social-media-request"}),
    (
        "a kid on my caseload asked me not to write down what he told me",
        {"secrets-request", "mandated-report-conflict"},
    ),
    ("my coworker is dating someone on her caseload", {"colleague-crossing"}),
    (
        "client found my home address and showed up on my porch",
        {"client-stalking", "client-searches-worker"},
    ),
]
OUT_OF_SCOPE = [
    "the printer on the third floor is jammed again",
    "where do I submit my timesheet",
    "what is the billing code for a 45 minute psychotherapy session",
]


@pytest.mark.parametrize(("query", "expected"), SITUATIONS)
def test_situations_find_their_topic(query: str, expected: set[str]) -> None:
    result = SEARCHER.search(query, top=3)
    assert result.confident
    assert expected & {hit.id for hit in result.results}, [h.id for h in result.results]


@pytest.mark.parametrize("query", OUT_OF_SCOPE)
def test_out_of_scope_is_not_guessed(query: str) -> None:
    assert not SEARCHER.search(query).confident


def test_markup_and_huge_input_are_harmless() -> None:
    result = SEARCHER.search("<!channel> <@U123> " + "client offered me cash " * 400)
    assert result.results and result.results[0].id == "gift-valuable-or-cash"
    assert not SEARCHER.search("   ").results


def test_search_cli_prints_one_json_object_per_line() -> None:
    queries = (
        "client offered me cash\nhow many PTO days do I have left\nclient pulled a knife on me\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--json", "--top", "2"],
        input=queries,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries.strip().split("\n")
    for line in lines:
        assert set(line) == {"query", "results", "confident", "crisis"}
        assert len(line["results"]) <= 2
        assert all(set(r) == {"id", "title", "score"} for r in line["results"])
    assert lines[0]["confident"] and not lines[0]["crisis"]
    assert not lines[1]["confident"]
    assert lines[2]["crisis"]
