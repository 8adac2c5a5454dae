"""Wiring: attach the escalation service to the shared Services, and its background job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.delivery import DeliveryWorker, OutboxRow
from bot.escalation.cases import KIND_CASE, KIND_CONFIRM, EscalationService
from bot.escalation.reminders import ResponseClock
from bot.escalation.retention import purge_closed
from bot.escalation.vault import Vault
from bot.ports import SentRef

if TYPE_CHECKING:
    from bot.runtime import Services

log = logging.getLogger("peerconsult.escalation")

NOT_SET_UP = (
    "Escalation isn't set up yet: PEERCONSULT_SECRET_KEY is not set, so reporter identities "
    "could not be protected. Run `peerconsult keygen` and set the key it prints."
)


def attach_escalation(svc: Services) -> EscalationService | None:
    """Register the vault (for the delivery worker) and the service; without a key, neither."""
    key = svc.settings.PEERCONSULT_SECRET_KEY
    if not key:
        return None
    vault = Vault(key)
    esc = EscalationService(
        svc.db, svc.outbox, svc.config, svc.settings, vault, wake=svc.wake_delivery
    )
    svc.extra["vault"] = vault
    svc.extra["escalation"] = esc
    return esc


def escalation(svc: Services) -> EscalationService | None:
    return svc.extra.get("escalation")


async def escalation_job(svc: Services, worker: DeliveryWorker, stop: asyncio.Event) -> None:
    """Index sent thread roots, run the response clock and retention until stopped."""
    esc = escalation(svc)
    if esc is None:
        log.warning(NOT_SET_UP + " /escalate will tell workers so.")
        return

    async def root_sent(row: OutboxRow, ref: SentRef) -> None:
        await esc.root_sent(row.dedupe_key, ref.channel, ref.ts)

    worker.on_sent(KIND_CASE, root_sent)
    worker.on_sent(KIND_CONFIRM, root_sent)
    clock = ResponseClock(esc)
    while not stop.is_set():
        try:
            await esc.index_unsent_roots()
            await clock.tick()
            await purge_closed(esc)
        except Exception:  # noqa: BLE001 - the next tick retries; delivery keeps running
            log.exception("escalation clock tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), svc.settings.ESCALATION_CLOCK_SECONDS)
