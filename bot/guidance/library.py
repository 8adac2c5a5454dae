"""Loads the guidance library from content/: topics, tips, the catalogue and the agency overlay."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.guidance.schema import OrgPolicies, PolicyLink, Tip, Topic

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


class ContentError(Exception):
    """The library has faults; `faults` holds one readable line each."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__(f"{len(faults)} content fault(s):\n" + "\n".join(faults))
        self.faults = faults


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    category: str
    escalation: str
    title: str
    scope: str
    standards: tuple[str, ...]


@dataclass
class Library:
    topics: dict[str, Topic]
    categories: dict[str, str]
    catalogue: dict[str, CatalogueEntry]
    tips: list[Tip] = field(default_factory=list)
    org: OrgPolicies = field(default_factory=OrgPolicies)
    # Situations in workers' own words, per topic, that teach search how people phrase things;
    # and things people ask that are not boundary questions (so search can say "not this").
    examples: dict[str, list[str]] = field(default_factory=dict)
    out_of_scope: list[str] = field(default_factory=list)

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def scope(self, topic_id: str) -> str:
        entry = self.catalogue.get(topic_id)
        return entry.scope if entry else ""

    def by_category(self) -> dict[str, list[Topic]]:
        grouped: dict[str, list[Topic]] = {key: [] for key in self.categories}
        for topic in self.topics.values():
            grouped.setdefault(topic.category, []).append(topic)
        return grouped

    def policies_for(self, topic: Topic) -> list[PolicyLink]:
        """The agency's own notes for this topic first, then those for its category."""
        return [*self.org.topics.get(topic.id, []), *self.org.categories.get(topic.category, [])]


def _read_yaml(path: Path, faults: list[str]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        faults.append(f"{path.name}: cannot read YAML ({exc.__class__.__name__}: {exc})")
        return None


def _pydantic_faults(where: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        out.append(f"{where}: {loc}: {msg}")
    return out


def _load_catalogue(
    root: Path, faults: list[str]
) -> tuple[dict[str, str], dict[str, CatalogueEntry]]:
    data = _read_yaml(root / "catalogue.yaml", faults) or {}
    categories = dict(data.get("categories") or {})
    entries = {}
    for raw in data.get("topics") or []:
        entry = CatalogueEntry(
            id=raw["id"],
            category=raw["category"],
            escalation=raw["escalation"],
            title=raw["title"],
            scope=raw.get("scope", ""),
            standards=tuple(raw.get("standards") or ()),
        )
        entries[entry.id] = entry
    if not entries:
        faults.append("catalogue.yaml: no topics listed")
    return categories, entries


def _check_topic(topic: Topic, entry: CatalogueEntry | None, where: str) -> list[str]:
    if entry is None:
        return [f"{where}: unknown topic id {topic.id!r} (not in catalogue.yaml)"]
    faults = []
    if topic.category != entry.category:
        faults.append(f"{where}: category {topic.category!r} should be {entry.category!r}")
    if topic.escalation != entry.escalation:
        faults.append(f"{where}: escalation {topic.escalation!r} should be {entry.escalation!r}")
    missing = [code for code in entry.standards if code not in {s.code for s in topic.standards}]
    if missing:
        faults.append(f"{where}: standards miss {', '.join(missing)}")
    if topic.escalation == "escalate" and not topic.safety_first:
        faults.append(f"{where}: safety_first is required for topics that escalate")
    return faults


def load_library(root: Path | None = None) -> Library:
    """Load and cross-check everything; raise ContentError listing every fault found."""
    root = Path(root or DEFAULT_CONTENT_DIR)
    faults: list[str] = []
    if not root.is_dir():
        raise ContentError([f"{root}: content directory not found"])
    categories, catalogue = _load_catalogue(root, faults)

    topics: dict[str, Topic] = {}
    for path in sorted((root / "topics").glob("*.yaml")):
        data = _read_yaml(path, faults)
        if data is None:
            continue
        where = f"topics/{path.name}"
        try:
            topic = Topic.model_validate(data)
        except ValidationError as exc:
            faults.extend(_pydantic_faults(where, exc))
            continue
        if path.stem != topic.id:
            faults.append(f"{where}: file name should be {topic.id}.yaml")
        if topic.id in topics:
            faults.append(f"{where}: duplicate topic id {topic.id!r}")
        faults.extend(_check_topic(topic, catalogue.get(topic.id), where))
        topics[topic.id] = topic

    for topic_id in catalogue:
        if topic_id not in topics:
            faults.append(f"topics/{topic_id}.yaml: missing (the catalogue lists this topic)")
    alias_owner: dict[str, str] = {}
    for topic in topics.values():
        for rel in topic.related:
            if rel not in catalogue or rel == topic.id:
                faults.append(f"topics/{topic.id}.yaml: related id {rel!r} is not another topic")
        for alias in topic.aliases:
            key = " ".join(alias.lower().split())
            owner = alias_owner.setdefault(key, topic.id)
            if owner != topic.id:
                faults.append(f"topics/{topic.id}.yaml: alias {alias!r} also points at {owner!r}")

    tips = _load_tips(root, catalogue, faults)
    org = _load_org(root, catalogue, categories, faults)
    examples, out_of_scope = _load_examples(root, catalogue, faults)
    if faults:
        raise ContentError(faults)
    return Library(
        topics=topics,
        categories=categories,
        catalogue=catalogue,
        tips=tips,
        org=org,
        examples=examples,
        out_of_scope=out_of_scope,
    )


OUT_OF_SCOPE_FILE = "_out-of-scope"
MAX_EXAMPLE_CHARS = 400


def _load_examples(
    root: Path, catalogue: dict[str, CatalogueEntry], faults: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """content/examples/<topic id>.txt: one situation a line; `_out-of-scope.txt` for the rest."""
    examples: dict[str, list[str]] = {}
    out_of_scope: list[str] = []
    folder = root / "examples"
    if not folder.is_dir():
        return examples, out_of_scope
    for path in sorted(folder.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for n, line in enumerate(lines, 1):
            if len(line) > MAX_EXAMPLE_CHARS:
                faults.append(
                    f"examples/{path.name}: line {n} is over {MAX_EXAMPLE_CHARS} characters"
                )
        if path.stem == OUT_OF_SCOPE_FILE:
            out_of_scope = lines
        elif path.stem in catalogue:
            examples[path.stem] = lines
        else:
            faults.append(f"examples/{path.name}: unknown topic id {path.stem!r}")
    return examples, out_of_scope


def _load_tips(root: Path, catalogue: dict[str, CatalogueEntry], faults: list[str]) -> list[Tip]:
    path = root / "tips" / "tips.yaml"
    if not path.exists():
        return []
    data = _read_yaml(path, faults) or {}
    tips: list[Tip] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("tips") or []):
        try:
            tip = Tip.model_validate(raw)
        except ValidationError as exc:
            faults.extend(_pydantic_faults(f"tips/tips.yaml: tips[{i}]", exc))
            continue
        if tip.id in seen:
            faults.append(f"tips/tips.yaml: duplicate tip id {tip.id!r}")
        if tip.topic not in catalogue:
            faults.append(f"tips/tips.yaml: {tip.id}: unknown topic {tip.topic!r}")
        seen.add(tip.id)
        tips.append(tip)
    return tips


def _load_org(
    root: Path, catalogue: dict[str, CatalogueEntry], categories: dict[str, str], faults: list[str]
) -> OrgPolicies:
    path = root / "org" / "policies.yaml"
    if not path.exists():
        return OrgPolicies()
    data = _read_yaml(path, faults) or {}
    try:
        org = OrgPolicies.model_validate(data)
    except ValidationError as exc:
        faults.extend(_pydantic_faults("org/policies.yaml", exc))
        return OrgPolicies()
    for key in org.topics:
        if key not in catalogue:
            faults.append(f"org/policies.yaml: unknown topic id {key!r}")
    for key in org.categories:
        if key not in categories:
            faults.append(f"org/policies.yaml: unknown category {key!r}")
    return org
