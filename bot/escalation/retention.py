"""Retention: closed cases are purged after RETENTION_DAYS, identities first."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.escalation.cases import EscalationService

log = logging.getLogger("peerconsult.escalation")


async def purge_closed(esc: EscalationService) -> int:
    cutoff = esc.clock.now() - timedelta(days=esc.settings.RETENTION_DAYS)
    total = 0
    while ids := await esc.repo.closed_before(cutoff):
        # Identities go in their own transaction first: a crash mid-purge leaves no identity.
        await esc.repo.forget_identities(ids)
        await esc.repo.delete(ids)
        total += len(ids)
    if total:
        log.info("escalation retention: purged %d closed cases", total)
    return total
