"""Sends outbox rows: concurrent, paced per channel, paused workspace-wide on 429, retried with
backoff on errors, and reconciled by tag before resending anything whose outcome is unknown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.delivery.outbox import LEASE, Outbox, OutboxRow, new_worker_id
from bot.ports import DeliveryError, Messenger, Sealer, SentRef

log = logging.getLogger("peerconsult.delivery")
THREAD_REF_PREFIX = "outbox:"  # a thread root that is itself an outbox row, resolved at send time

AfterSent = Callable[[OutboxRow, SentRef], Awaitable[None]]


class Pacer:
    """When a chat.postMessage may go out.

    - Per conversation: at most `per_second` (Slack: about 1 a second). Sends into one conversation
      are serialised and spaced by their actual start, so a later global wait cannot squeeze two
      of them together.
    - Workspace-wide: no rate is assumed up front (Slack does not publish it). The first 429 that
      is not a conversation's own limit shows the ceiling: what Slack let through in the last
      second. From then on sends are spaced evenly just below it, because every further 429 costs
      a whole Retry-After pause for everybody. The estimate is dropped after a quiet minute so a
      low one (e.g. learnt while another process shared the limit) does not stick.
    - After a 429, nothing goes out until its Retry-After has passed.
    """

    HEADROOM = 0.98
    FORGET_AFTER = 60.0
    # Below this, a 429 says more about someone else using the budget than about the ceiling.
    MIN_RATE = 10.0

    def __init__(
        self, per_second: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = 1.0 / per_second
        self.clock = clock
        self.locks: dict[str, list] = {}  # channel -> [lock, users]
        self.sent_at: dict[str, tuple[float, float]] = {}  # channel -> (previous, last) start
        self.rate: float | None = None  # learnt workspace-wide sends a second
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.limited_at = 0.0
        self.admitted: deque[float] = deque()
        self.global_lock = asyncio.Lock()

    async def wait(self, channel: str) -> None:
        entry = self.locks.setdefault(channel, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                last = self.sent_at.get(channel, (0.0, -1e9))[1]
                delay = last + self.interval - self.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._global_slot()
                now = self.clock()
                self.sent_at[channel] = (self.sent_at.get(channel, (0.0, -1e9))[1], now)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self.locks[channel]
        if len(self.sent_at) > 50_000:  # forget conversations whose spacing has passed
            cutoff = self.clock() - 2 * self.interval
            self.sent_at = {k: v for k, v in self.sent_at.items() if v[1] > cutoff}

    async def _global_slot(self) -> None:
        # One waiter at a time, spaced from the previous send's actual start: slots are not handed
        # out ahead, so a stalled event loop cannot release a bunch of them at once over the limit.
        async with self.global_lock:
            while True:
                now = self.clock()
                if self.rate is not None and now - self.limited_at > self.FORGET_AFTER:
                    self.rate = None
                at = max(now, self.paused_until, self.next_slot if self.rate else 0.0)
                if at <= now:
                    if self.rate:
                        self.next_slot = now + 1.0 / self.rate
                    return
                await asyncio.sleep(at - now)

    def admitted_one(self) -> None:
        """A post got an answer other than 429: it counted against Slack's limit."""
        now = self.clock()
        self.admitted.append(now)
        while self.admitted and now - self.admitted[0] > 2.0:
            self.admitted.popleft()

    def limited(self, channel: str, retry_after: float) -> None:
        now = self.clock()
        previous, last = self.sent_at.get(channel, (-1e9, -1e9))
        if last - previous < 2 * self.interval:
            # This conversation had another post just before: its own limit, not the workspace's.
            self.sent_at[channel] = (previous, now + retry_after - self.interval)
            return
        self.paused_until = max(self.paused_until, now + retry_after)
        self.next_slot = max(self.next_slot, self.paused_until)
        if last <= self.limited_at:
            return  # sent before the last 429 was seen: same episode, already accounted for
        through = sum(1 for t in self.admitted if now - t <= 1.0)
        estimate = float(through) if self.rate is None else min(self.rate, through or self.rate)
        self.rate = max(self.MIN_RATE, estimate * self.HEADROOM)
        self.limited_at = now
        log.info("rate limited: pausing %.1fs, then %.1f messages/s", retry_after, self.rate)


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
        self.pacer = Pacer(per_channel_per_second)
        # When each in-flight row's claim was last known to be ours (monotonic): a row whose lease
        # may have lapsed (a stalled process) is not sent, since another worker may have it now.
        self.confirmed: dict[int, float] = {}
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
                claimed_at = time.monotonic()
                for row in rows:
                    task = asyncio.create_task(self._deliver(row))
                    self.in_flight[row.id] = task
                    self.confirmed[row.id] = claimed_at
                    task.add_done_callback(lambda _t, rid=row.id: self._done(rid))
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

    def _done(self, row_id: int) -> None:
        self.in_flight.pop(row_id, None)
        self.confirmed.pop(row_id, None)
        self.wake.set()  # a slot is free: claim the next row now, not at the next poll

    async def _renew_leases(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(LEASE.total_seconds() / 4)
            ids = list(self.in_flight)
            started = time.monotonic()
            with contextlib.suppress(Exception):
                await self.outbox.renew(self.worker_id, ids)
                for row_id in ids:
                    if row_id in self.confirmed:
                        self.confirmed[row_id] = started

    def _claim_is_fresh(self, row: OutboxRow) -> bool:
        age = time.monotonic() - self.confirmed.get(row.id, 0.0)
        return age < LEASE.total_seconds() * 0.6

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
                try:
                    found = await self.messenger.find_by_tag(
                        target, row.tag, thread=thread, oldest=row.created_at.timestamp() - 60
                    )
                except DeliveryError as exc:
                    # Not a send: a limited lookup must not pause or slow the posting.
                    if exc.retry_after is None:
                        raise
                    await self.outbox.mark_retry(
                        self.worker_id, row, exc.retry_after, exc.reason, in_doubt=True, count=False
                    )
                    return
                if found is not None:
                    await self._sent(row, found)
                    return
            await self.pacer.wait(target)
            if not self._claim_is_fresh(row):
                log.warning(
                    "delivery %s: claim may have lapsed; leaving it to be reconciled", row.id
                )
                await self.outbox.mark_retry(
                    self.worker_id, row, 0, "claim stale", in_doubt=False, count=False
                )
                return
            try:
                ref = await self.messenger.send(target, row.message, tag=row.tag, thread=thread)
            except DeliveryError as exc:
                if exc.reason != "ratelimited":
                    self.pacer.admitted_one()
                raise
            self.pacer.admitted_one()
            await self._sent(row, ref)
        except DeliveryError as exc:
            await self._failed(row, exc, target)
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

    async def _failed(self, row: OutboxRow, exc: DeliveryError, target: str = "") -> None:
        if exc.permanent:
            log.warning("delivery %s failed permanently: %s", row.id, exc.reason)
            await self.outbox.mark_failed(self.worker_id, row.id, exc.reason)
            return
        if exc.retry_after is not None:
            if exc.reason == "ratelimited":
                self.pacer.limited(target, exc.retry_after)
            await self.outbox.mark_retry(
                self.worker_id, row, exc.retry_after, exc.reason, in_doubt=False, count=False
            )
            self.nudge()
            return
        # Short first retries: a lone 5xx is usually transient, and a broadcast's tail waits on it.
        backoff = min(60.0, 0.25 * 2.0 ** min(row.attempts, 8)) * (0.5 + random.random() / 2)
        await self.outbox.mark_retry(
            self.worker_id, row, backoff, exc.reason, in_doubt=exc.in_doubt
        )
