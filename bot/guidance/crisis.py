"""Detects situations that signal imminent danger to someone's life or safety.

Rules, not a model: a false "all clear" here is the worst failure, so each rule pairs a danger with
a sign that it is happening now or is intended (a plan, a weapon, an act in progress). Ordinary
boundary talk ("she said she'd kill me if I left the agency, joking") is damped by requiring
that pairing rather than single alarming words.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

# Each entry: (name, pattern). A match on any pattern means crisis.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    # Suicide with intent, plan, means or a goodbye.
    (
        "suicide",
        re.compile(
            r"\b(kill(ing)? (him|her|them)sel(f|ves)|end(ing)? (his|her|their|my) (own )?life|"
            r"suicid\w*|take (his|her|their) own life|not (going to|gonna) be (here|around) "
            r"(tomorrow|much longer)|last message|saying goodbye|wanted to say goodbye|"
            r"(standing|is|she's|he's|they're) on (the|a) (bridge|ledge|roof)|jump(ing)? off)\b",
            _FLAGS,
        ),
    ),
    # Overdose in progress or pills about to be taken.
    (
        "overdose",
        re.compile(
            r"\b((took|taken|swallowed|swallow|take|taking|downed|overdos\w+|od'?d|"
            r"ingested)\b[^.!?]{0,40}\b(pills?|bottle|meds|medication|tablets|all of (them|it)|"
            r"overdose|fentanyl|heroin)|"
            r"(pills?|meds|tablets)\b[^.!?]{0,40}\b(lined up|taking (them )?all|all tonight|"
            r"take them all|swallow(ed)? them)|"
            r"overdos(ing|ed)\b|not breathing|unresponsive|turning blue)",
            _FLAGS,
        ),
    ),
    # A weapon present in a threatening situation.
    (
        "weapon",
        re.compile(
            r"\b((pulled|pointing|pointed|waving|holding|brandish\w*|grabbed|has|had|with|got) "
            r"(out )?(a |his |her |their )?(gun|knife|blade|firearm|pistol|rifle|weapon|bat|machete)|"
            r"(gun|knife|firearm|pistol|rifle|weapon|machete) (to|at) (my|his|her|their) "
            r"(head|throat|chest))\b",
            _FLAGS,
        ),
    ),
    # A threat to kill or seriously hurt someone, with intent.
    (
        "homicide",
        re.compile(
            r"\b((going to|gonna|will|wants? to|plans? to|threaten(ed|ing)? to|'ll) "
            r"(kill|shoot|stab|murder) (me|him|her|them|you|us|his|her|my|the|everyone|"
            r"someone|somebody)|kill (me|him|her|them) (tonight|today|now)|"
            r"(screaming|yelling|shouting|saying) (that )?(he|she|they)('ll| will| is going to) kill)\b",
            _FLAGS,
        ),
    ),
    # A child in immediate danger.
    (
        "child",
        re.compile(
            r"\b((\d+|two|three|four|five|six) ?(year|yr)s? ?old|toddler|baby|infant|child|kid|"
            r"little (sister|brother|one))\b[^.!?]{0,60}\b(alone|unattended|left home|"
            r"nobody home|no one home|locked in|hiding|beat(ing|en)?|bleeding|unconscious)|"
            r"\b(hiding|locked) in (the|a) (closet|bathroom|room)\b",
            _FLAGS,
        ),
    ),
    # Immediate physical danger to the worker right now.
    (
        "now",
        re.compile(
            r"\b(outside my (house|home|door|car)|breaking in|broke in|attacking me|"
            r"attacked me|choking|strangl\w+)\b[^.!?]{0,80}\b(right now|now|kill|weapon|gun|"
            r"knife|bat|screaming|threat\w*)\b",
            _FLAGS,
        ),
    ),
]

# Phrasings that use alarming words without danger (idioms, past tense training talk, jokes).
_DAMPERS = re.compile(
    r"\b(kill(ing)? me with kindness|killing it|kills me|to die for|dying to|joking|as a joke|"
    r"training on|policy on|how (do|should) (i|we) (handle|respond)|"
    r"safety plan(ning)? (template|training))\b",
    _FLAGS,
)


def crisis_signals(text: str) -> list[str]:
    """Names of the danger rules the text matches (empty when none)."""
    hits = [name for name, rule in _RULES if rule.search(text)]
    if hits and _DAMPERS.search(text) and not set(hits) & {"overdose", "weapon", "child"}:
        return []
    return hits


def is_crisis(text: str) -> bool:
    return bool(crisis_signals(text))
