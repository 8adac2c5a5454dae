"""Pydantic schema of the guidance library (content/ is data, this is its contract)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Escalation = Literal["self", "consult", "escalate"]
Tone = Literal["gentle", "direct", "written", "warm", "firm", "playful"]
REQUIRED_TONES = ("gentle", "direct", "written")
# Words that shame the client or put the limit off rather than state it.
BANNED_PHRASES = ("inappropriate", "maybe later", "maybe another time", "maybe someday")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Strategy(Strict):
    title: str = Field(min_length=3, max_length=80)
    detail: str = Field(min_length=10, max_length=400)


class Phrasing(Strict):
    tone: Tone
    text: str = Field(min_length=20, max_length=600)

    @field_validator("text")
    @classmethod
    def no_shaming(cls, value: str) -> str:
        lowered = value.lower()
        for phrase in BANNED_PHRASES:
            if phrase in lowered:
                raise ValueError(f"phrasing uses {phrase!r}; state the limit kindly instead")
        return value


class Standard(Strict):
    code: str = Field(min_length=3, max_length=60)
    note: str = Field(min_length=5, max_length=200)


class Topic(Strict):
    id: str
    category: str
    escalation: Escalation
    title: str = Field(min_length=5, max_length=150)
    summary: str = Field(min_length=40, max_length=700)
    safety_first: str | None = Field(default=None, max_length=600)
    strategies: list[Strategy] = Field(min_length=3, max_length=5)
    phrasings: list[Phrasing] = Field(min_length=3, max_length=6)
    escalate_when: list[str] = Field(min_length=1, max_length=6)
    standards: list[Standard] = Field(min_length=1, max_length=6)
    reflection: str = Field(min_length=10, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=40)
    related: list[str] = Field(default_factory=list, max_length=6)

    @field_validator("id")
    @classmethod
    def id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("id must be lowercase words joined by hyphens")
        return value

    @field_validator("phrasings")
    @classmethod
    def tones_present(cls, value: list[Phrasing]) -> list[Phrasing]:
        missing = [t for t in REQUIRED_TONES if t not in {p.tone for p in value}]
        if missing:
            raise ValueError(f"phrasings miss the tone(s): {', '.join(missing)}")
        return value


class Tip(Strict):
    id: str
    topic: str
    title: str = Field(min_length=5, max_length=100)
    body: str = Field(min_length=40, max_length=600)
    phrasing: str = Field(min_length=20, max_length=400)


class PolicyLink(Strict):
    title: str = Field(min_length=2, max_length=150)
    url: str | None = Field(default=None, max_length=3000)
    note: str | None = Field(default=None, max_length=500)


class OrgPolicies(Strict):
    """An agency's own policy notes and links, per topic id or per category."""

    agency: str | None = None
    topics: dict[str, list[PolicyLink]] = Field(default_factory=dict)
    categories: dict[str, list[PolicyLink]] = Field(default_factory=dict)
