"""Escalation: private case threads between a worker and their supervisor, anonymous by default."""

from bot.escalation.cases import CaseError, EscalationService, NewCase
from bot.escalation.clock import Clock, ManualClock, SystemClock
from bot.escalation.vault import Vault

__all__ = [
    "CaseError",
    "Clock",
    "EscalationService",
    "ManualClock",
    "NewCase",
    "SystemClock",
    "Vault",
]
