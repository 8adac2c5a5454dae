"""Which tip a week gets: every tip once per cycle, in a shuffled order fixed by the cycle number,
so all processes agree and no tip repeats until every tip has been shown."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.guidance.schema import Tip


@dataclass(frozen=True)
class Pick:
    tip: Tip
    cycle: int


def cycle_order(tips: Sequence[Tip], cycle: int) -> list[Tip]:
    ordered = sorted(tips, key=lambda t: t.id)
    random.Random(f"peerconsult-tips-{cycle}").shuffle(ordered)
    return ordered


def pick_next(tips: Sequence[Tip], history: Sequence[tuple[str, int]]) -> Pick | None:
    """`history`: (tip id, cycle) of every week so far. Tips removed from the content since are
    ignored; tips added join the current cycle."""
    if not tips:
        return None
    cycle = max((c for _, c in history), default=0)
    shown = {tip_id for tip_id, c in history if c == cycle}
    for tip in cycle_order(tips, cycle):
        if tip.id not in shown:
            return Pick(tip, cycle)
    return Pick(cycle_order(tips, cycle + 1)[0], cycle + 1)
