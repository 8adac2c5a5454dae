"""Detects situations that signal imminent danger to someone's life or safety.

Rules, not a model, so every decision can be read and reviewed. Most rules pair a danger (suicide,
a weapon, a child alone) with a sign that it is happening now (tonight, right now, just texted,
a goodbye); a few acts are dangerous on their own (pills being swallowed, a weapon drawn, a
threat to kill). A situation told in the past and resolved ("last month…, she's safe now") is not
a crisis: the bot then gives the ordinary guidance, which still says when to escalate.
"""

from __future__ import annotations

import re

_F = re.IGNORECASE


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _F)


SUICIDE = _rx(
    r"\b(kill(s|ing)? (him|her|them|my|your)sel(f|ves)|end(s|ing)? (his|her|their|my) (own )?life|"
    r"suicid(e|al)|wants? to die|want(ed)? to be dead|(does ?n[o']t|do ?n[o']t|not) want to (live|be alive|"
    r"be here( anymore)?|wake up)|take (his|her|their) (own )?life|jump(ing)? off|"
    r"(on|at) (the|a) (edge of (the|a) )?(bridge|ledge|roof(top)?|overpass|train tracks)|"
    r"hang(ing)? (him|her|them)sel(f|ves)|noose)\b"
)
OVERDOSE_NOW = _rx(
    r"\b((took|taken|swallowed|downed|ingested|chugged)\b[^.!?]{0,50}\b(pills?|bottle|meds|medications?|"
    r"tablets|fentanyl|heroin|opioids?|oxy\w*|tylenol|sleeping)|"
    r"(pills?|meds|tablets)\b[^.!?]{0,40}\b(lined up|counted out|in (her|his|their) hand)|"
    r"(take|taking|swallow(ing)?) (them|it|all|all of (them|it)|the whole (bottle|pack))\b[^.!?]{0,30}"
    r"\b(tonight|now|today)|overdos(ing|ed)\b|od'?(d|ing)\b|not breathing|unresponsive|turning blue|"
    r"slurring\b[^.!?]{0,60}\b(pills|meds|swallowed|took))"
)
WEAPON_DRAWN = _rx(
    r"\b(pull(ed|s|ing)?|point(ed|s|ing)?|wav(ed|es|ing)|brandish\w*|swung|swinging|holding|came at me with|"
    r"charged at me with|threaten(ed|ing)? me with)\b[^.!?]{0,20}\b(gun|knife|blade|firearm|pistol|"
    r"rifle|weapon|machete|bat|box ?cutter|scissors)\b|"
    r"\b(gun|knife|firearm|pistol|rifle|weapon|machete)s? (to|at) (my|his|her|their) (head|throat|chest)\b"
)
KILL_THREAT = _rx(
    r"\b(going to|gonna|will|'ll|wants? to|plans? to|threaten(s|ed|ing)? to|about to|swears? (he|she)'?ll|"
    r"is coming to) (kill|shoot|stab|murder|strangle)\b"
    r"|\b(kill|shoot|stab|murder) (me|him|her|them|you|us|everyone|somebody|someone)\b[^.!?]{0,30}"
    r"\b(tonight|today|now|right now)\b"
)
CHILD_DANGER = _rx(
    r"\b(?:(\d{1,2}|one|two|three|four|five|six|seven|eight)[ -](year|yr|month)s?[ -]old|toddler|baby|"
    r"infant|newborn|little (sister|brother|one|kids?)|young (child|children|kids))\b[^.!?]{0,80}"
    r"\b(alone|unattended|left (home )?alone|by (him|her|them)sel(f|ves)|nobody (is )?home|no one (is )?home|"
    r"no adult|locked in|hiding|bleeding|unconscious|not breathing|stove on)\b"
)
HIDING_FROM_VIOLENCE = _rx(
    r"\b(hiding|locked (herself|himself|themselves|ourselves) in|barricaded)\b[^.!?]{0,40}"
    r"\b(closet|bathroom|bedroom|room|car|basement)\b"
)
WORKER_UNDER_ATTACK = _rx(
    r"\b(outside my (house|home|door|apartment|car|office)|breaking in|broke in|attacking me|attacked me|"
    r"choking me|strangling|won'?t let me leave|blocking the door|locked me in|chasing me|punched me|"
    r"hitting me)\b"
)
# Strong signs that it is happening now; "now" and "today" alone are weaker (see crisis_signals).
STRONG_NOW = _rx(
    r"\b(right now|tonight|as we speak|at the moment|minutes? ago|an hour ago|just (texted|called|"
    r"messaged|told|said|sent|posted|emailed|dm'?d)|is (texting|calling|messaging)|on the phone with|"
    r"last message|final message|goodbye|good ?bye|right outside|screaming|has a plan)\b"
)
IMMEDIATE = _rx(
    r"\b(right now|now|tonight|today|this (morning|afternoon|evening)|currently|as we speak|at the moment|"
    r"minutes? ago|an hour ago|just (texted|called|messaged|told|said|sent|posted|emailed|dm'?d)|"
    r"is (texting|calling|messaging)|on the phone with|last message|goodbye|good ?bye|final message|"
    r"right outside|screaming|yelling|says? (she|he|they)'?s? (going|gonna)|plans? to|has a plan|"
    r"with a (gun|knife|rope|bat)|pills|bottle|bridge|ledge)\b"
)
PAST_OR_RESOLVED = _rx(
    r"\b(last (week|month|year|saturday|sunday|monday|tuesday|wednesday|thursday|friday|night'?s? shift)|"
    r"years? ago|months? ago|weeks? ago|history of|used to|in the past|(she|he|they)'?s? (ok|okay|safe|fine) "
    r"now|(is|are) (ok|okay|safe)|we'?ve talked since|training on|policy (on|for)|how (do|should) (i|we) "
    r"(plan|prepare)|plan for (clients|when)|in case|what if|hypothetical|safety plan(ning)? template|"
    r"memorial|funeral|wake|passed away|died|death of)\b"
)
IDIOMS = _rx(
    r"\b(kill(ing)? me with kindness|killing it|kills me|to die for|dying to|dying of laughter|"
    r"joking|as a joke|jokingly|kidding|my boss (will|is going to|is gonna) kill me)\b"
)


def crisis_signals(text: str) -> list[str]:
    """Names of the danger rules the text matches; empty when it does not signal imminent danger."""
    t = " ".join(text.split())
    if not t:
        return []
    hits: list[str] = []
    immediate = bool(IMMEDIATE.search(t))
    # Told in the past and resolved, unless something says it is happening again now.
    past = bool(PAST_OR_RESOLVED.search(t)) and not STRONG_NOW.search(t)
    if OVERDOSE_NOW.search(t) and not past:
        hits.append("overdose")
    if WEAPON_DRAWN.search(t) and not past:
        hits.append("weapon")
    if KILL_THREAT.search(t) and not IDIOMS.search(t) and not past:
        hits.append("threat to kill")
    if SUICIDE.search(t) and immediate and not past:
        hits.append("suicide")
    if CHILD_DANGER.search(t) and not past:
        hits.append("child in danger")
    if HIDING_FROM_VIOLENCE.search(t) and immediate and not past:
        hits.append("hiding from violence")
    if WORKER_UNDER_ATTACK.search(t) and immediate and not past:
        hits.append("under attack")
    return hits
