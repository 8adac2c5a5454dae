"""The content loader and `content check`: each kind of fault is reported, clearly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.guidance.library import DEFAULT_CONTENT_DIR, ContentError, load_library


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root


def _edit(root: Path, topic_id: str, change) -> None:  # type: ignore[no-untyped-def]
    path = root / "topics" / f"{topic_id}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _faults(root: Path) -> str:
    with pytest.raises(ContentError) as err:
        load_library(root)
    return "\n".join(err.value.faults)


def test_bundled_library_loads() -> None:
    library = load_library()
    assert "client-romantic-interest" in library.topics
    seed = library.topics["client-romantic-interest"]
    titles = [s.title for s in seed.strategies]
    assert {
        "Set clear boundaries",
        "Refer to your organisation's policies",
        "Seek supervision",
    } <= set(titles)


def test_missing_topic_is_reported(content: Path) -> None:
    (content / "topics" / "gift-small.yaml").unlink()
    assert "topics/gift-small.yaml: missing" in _faults(content)


def test_unknown_key_and_unknown_id(content: Path) -> None:
    _edit(content, "client-romantic-interest", lambda d: d.update(colour="blue"))
    data = yaml.safe_load((content / "topics" / "client-romantic-interest.yaml").read_text())
    data.pop("colour")
    data["id"] = "made-up-topic"
    (content / "topics" / "made-up-topic.yaml").write_text(yaml.safe_dump(data))
    faults = _faults(content)
    assert "colour: unknown key" in faults
    assert "unknown topic id 'made-up-topic'" in faults


def test_phrasings_need_at_least_three(content: Path) -> None:
    _edit(content, "client-romantic-interest", lambda d: d.update(phrasings=d["phrasings"][:2]))
    assert "phrasings" in _faults(content)


def test_missing_tone(content: Path) -> None:
    def no_written(d):  # type: ignore[no-untyped-def]
        d["phrasings"] = [p for p in d["phrasings"] if p["tone"] != "written"] + [
            {
                "tone": "firm",
                "text": "I hear you. That's not something I can do, and here is why it matters.",
            }
        ]

    _edit(content, "client-romantic-interest", no_written)
    assert "miss the tone(s): written" in _faults(content)


def test_shaming_words_are_rejected(content: Path) -> None:
    def shame(d):  # type: ignore[no-untyped-def]
        d["phrasings"][0]["text"] = (
            "That is inappropriate and you know it, so let's stop this now please."
        )

    _edit(content, "client-romantic-interest", shame)
    assert "inappropriate" in _faults(content)


def test_broken_related_and_duplicate_alias(content: Path) -> None:
    _edit(content, "client-romantic-interest", lambda d: d.update(related=["no-such-topic"]))
    _edit(content, "client-flirting", lambda d: d["aliases"].append("thinks I'm into them"))
    faults = _faults(content)
    assert "related id 'no-such-topic'" in faults
    assert 'alias "thinks I\'m into them" also points at' in faults or "also points at" in faults


def test_text_over_block_kit_limits_fails_check(content: Path) -> None:
    _edit(content, "client-romantic-interest", lambda d: d.update(title="T" * 151))
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", str(content)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "title" in proc.stdout and "content check failed" in proc.stdout


def test_org_policies_overlay(content: Path) -> None:
    (content / "org" / "policies.yaml").write_text(
        yaml.safe_dump(
            {
                "agency": "Riverside",
                "topics": {
                    "gift-small": [
                        {"title": "Gifts policy 4.2", "url": "https://intranet.example/gifts"}
                    ]
                },
                "categories": {"money": [{"title": "Money handling", "note": "Log every offer."}]},
            }
        )
    )
    library = load_library(content)
    links = library.policies_for(library.topics["gift-small"])
    assert [p.title for p in links] == ["Gifts policy 4.2", "Money handling"]
    (content / "org" / "policies.yaml").write_text(yaml.safe_dump({"topics": {"nope": []}}))
    assert "unknown topic id 'nope'" in _faults(content)


def test_no_content_line_copies_a_dev_query() -> None:
    """The dev queries measure search; a line that repeats one would make the measure lie."""
    import json
    import re

    dev_file = DEFAULT_CONTENT_DIR.parent.parent / "shared" / "guidance" / "dev-queries.jsonl"
    if not dev_file.exists():
        pytest.skip(f"no dev query file at {dev_file}")

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()

    dev = {
        norm(json.loads(line)["query"])
        for line in dev_file.read_text().splitlines()
        if line.strip()
    }
    library = load_library()
    lines = [e for ex in library.examples.values() for e in ex] + library.out_of_scope
    lines += [a for t in library.topics.values() for a in t.aliases]
    assert not [line for line in lines if norm(line) in dev]
