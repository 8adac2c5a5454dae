"""Durable outbox shared by relays and tips: enqueue with the state change, claim, send, reconcile."""

from bot.delivery.outbox import Outbox, OutboxRow
from bot.delivery.worker import DeliveryWorker

__all__ = ["DeliveryWorker", "Outbox", "OutboxRow"]
