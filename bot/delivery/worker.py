"""Sends outbox rows: concurrent, paced per channel, paused workspace-wide on 429, retried with
backoff on errors, and reconciled by tag before resending anything whose outcome is unknown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable

from bot.delivery.outbox import Outbox, OutboxRow, new_worker_id
from bot.ports import DeliveryError, Messenger, Sealer, SentRef

log = logging.getLogger("peerconsult.delivery")
THREAD_REF_PREFIX = "outbox:"  # a thread root that is itself an outbox row, resolved at send time

AfterSent = Callable[[OutboxRow, SentRef], Awaitable[None]]


class ChannelPacer:
    """At most `per_second` messages a second into any one conversation (Slack's chat.postMessage)."""

    def __init__(self, per_second: float = 1.0) -> None:
        self.interval = 1.0 / per_second
        self.next_at: dict[str, float] = {}
        self.lock = asyncio.Lock()

    async def wait(self, channel: str) -> None:
        async with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at.get(channel, 0.0))
            self.next_at[channel] = at + self.interval
            if len(self.next_at) > 50_000:  # forget channels whose slot has passed
                self.next_at = {k: v for k, v in self.next_at.items() if v > now}
        if at > now:
            await asyncio.sleep(at - now)


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        messenger: Messenger,
        sealer: Sealer | None = None,
        *,
        concurrency: int = 16,
        kinds: tuple[str, ...] | None = None,
        poll_interval: float = 0.25,
        per_channel_per_second: float = 1.0,
    ) -> None:
        self.outbox = outbox
        self.messenger = messenger
        self.sealer = sealer
        self.concurrency = concurrency
        self.kinds = kinds
        self.poll_interval = poll_interval
        self.worker_id = new_worker_id()
        self.pacer = ChannelPacer(per_channel_per_second)
        self.paused_until = 0.0
        self.after_sent: dict[str, AfterSent] = {}
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.wake = asyncio.Event()

    def on_sent(self, kind: str, hook: AfterSent) -> None:
        self.after_sent[kind] = hook

    def nudge(self) -> None:
        """Something was just enqueued: look now rather than at the next poll."""
        self.wake.set()

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> None:
        renew = asyncio.create_task(self._renew_leases(stop))
        try:
            while not stop.is_set():
                free = self.concurrency - len(self.in_flight)
                rows = await self.outbox.claim(self.worker_id, free, self.kinds) if free > 0 else []
                for row in rows:
                    task = asyncio.create_task(self._deliver(row))
                    self.in_flight[row.id] = task
                    task.add_done_callback(lambda _t, rid=row.id: self.in_flight.pop(rid, None))
                if rows:
                    await asyncio.sleep(0)
                    continue
                if (
                    until_idle
                    and not self.in_flight
                    and await self.outbox.pending_count(self.kinds) == 0
                ):
                    return
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll_interval)
        finally:
            if self.in_flight:
                await asyncio.gather(*self.in_flight.values(), return_exceptions=True)
            renew.cancel()

    async def _renew_leases(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(5)
            with contextlib.suppress(Exception):
                await self.outbox.renew(self.worker_id, list(self.in_flight))

    def _target(self, row: OutboxRow) -> str:
        if row.target_sealed:
            if self.sealer is None:
                raise DeliveryError("sealed target but no identity key", permanent=True)
            return self.sealer.open(row.target)
        return row.target.decode()

    def _seal_channel(self, row: OutboxRow, channel: str) -> bytes:
        if row.target_sealed and self.sealer is not None:
            return self.sealer.seal(channel)
        return channel.encode()

    async def _thread(self, row: OutboxRow) -> str | None:
        ref = row.thread_ref
        if not ref or not ref.startswith(THREAD_REF_PREFIX):
            return ref
        sent = await self.outbox.sent_ref(ref.removeprefix(THREAD_REF_PREFIX))
        if sent is None:
            raise DeliveryError("thread root not sent yet", retry_after=1.0)
        return sent[1]

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            target = self._target(row)
            thread = await self._thread(row)
            if row.in_doubt:
                # The last attempt may have reached Slack: look for the tagged message first.
                found = await self.messenger.find_by_tag(
                    target, row.tag, thread=thread, oldest=row.created_at.timestamp() - 60
                )
                if found is not None:
                    await self._sent(row, found)
                    return
            await self.pacer.wait(target)
            delay = self.paused_until - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            ref = await self.messenger.send(target, row.message, tag=row.tag, thread=thread)
            await self._sent(row, ref)
        except DeliveryError as exc:
            await self._failed(row, exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the other deliveries
            log.exception("delivery %s failed unexpectedly", row.id)
            await self.outbox.mark_retry(self.worker_id, row, 30, type(exc).__name__, in_doubt=True)

    async def _sent(self, row: OutboxRow, ref: SentRef) -> None:
        if await self.outbox.mark_sent(
            self.worker_id, row.id, self._seal_channel(row, ref.channel), ref.ts
        ):
            hook = self.after_sent.get(row.kind)
            if hook is not None:
                await hook(row, ref)

    async def _failed(self, row: OutboxRow, exc: DeliveryError) -> None:
        if exc.permanent:
            log.warning("delivery %s failed permanently: %s", row.id, exc.reason)
            await self.outbox.mark_failed(self.worker_id, row.id, exc.reason)
            return
        if exc.retry_after is not None:
            if exc.reason == "ratelimited":
                self.paused_until = max(self.paused_until, time.monotonic() + exc.retry_after)
            await self.outbox.mark_retry(
                self.worker_id, row, exc.retry_after, exc.reason, in_doubt=False, count=False
            )
            self.nudge()
            return
        backoff = min(60.0, 2.0 ** min(row.attempts, 6)) * (0.5 + random.random() / 2)
        await self.outbox.mark_retry(
            self.worker_id, row, backoff, exc.reason, in_doubt=exc.in_doubt
        )
