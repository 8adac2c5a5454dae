"""Crisis rules: imminent danger is flagged; past, resolved or idiomatic mentions are not."""

from __future__ import annotations

import pytest

from bot.guidance.crisis import crisis_signals

IMMINENT = [
    "my client just called and said he's going to kill himself tonight, he has a gun",
    "client says she has the pills in her hand right now and wants to die",
    "pt swallowed a handful of her oxy about 20 min ago and is texting me goodbye",
    "on a home visit and the boyfriend just pulled a gun",
    "client's ex is outside my office right now screaming he will kill her",
    "a 4 year old is home alone and the mom has been gone since morning",
    "client messaged me she's on the roof of her building and this is goodbye",
    "dad is drunk and threatening to shoot everyone in the house, kids hiding in bathroom",
    "he said he's gonna stab his roommate tonight",
    "client told me he plans to kill his ex-wife this weekend",
]

NOT_IMMINENT = [
    "client with a history of suicide attempts wants my cell number",
    "my client hugs me goodbye every session",
    "client said saying goodbye at our last session was too hard, wants to stay in touch",
    "client said I'd regret closing his case",
    "my boss is gonna kill me if I'm late again",
    "client keeps joking that he'll kill me if I leave the agency",
    "client gave me a kitchen knife set as a gift",
    "client mentioned he owns a gun, do I need to worry on home visits?",
    "teen disclosed abuse but made me promise not to tell",
    "last month a client overdosed and is fine now, how do I debrief",
    "how do I plan for clients in crisis while I'm on vacation",
    "client texted me at 2am that she misses me",
    "my 5 year old walked into my zoom session",
    "client's baby was crying the whole home visit and mom asked me to hold her",
    "client sent me a nude pic tonight",
    "client keeps driving past my house at night",
    "coworker smelled like alcohol at morning huddle",
    "client is grieving his mom who died by suicide and asked if I've lost someone",
    "client wants me at her bat mitzvah",
    "patient grabbed my arm during dressing change and made a comment",
    "my supervisor is killing me with extra cases",
    "client said the pills her doctor gave her make her tired, asked me to pick them up",
    "kid on my caseload asked me to keep a secret about his dad hitting him last year",
]


@pytest.mark.parametrize("text", IMMINENT)
def test_imminent_danger_is_flagged(text: str) -> None:
    assert crisis_signals(text), text


@pytest.mark.parametrize("text", NOT_IMMINENT)
def test_ordinary_or_past_situations_are_not(text: str) -> None:
    assert crisis_signals(text) == [], text
