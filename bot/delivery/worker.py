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
from datetime import datetime, timedelta

from bot.delivery.outbox import LEASE, Outbox, OutboxRow, new_worker_id
from bot.ports import DeliveryError, Messenger, Sealer, SentRef
from bot.store.common import as_utc, utcnow
from bot.store.repos import ConfigRepo

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
    - Slack counts a post when it handles it, not when we send it: after a hiccup on its side it
      handles a backlog at once. So besides the even spacing, the posts it handled in the last
      second (a post answered unusually late taken as handled late) plus those still in flight
      stay below the ceiling the rate was learnt from.
    - A rate learnt earlier (by this or another process, see LearnedRate) can be the starting
      point, so a rerun does not burst into a 429 to find it again; `on_rate` hears every rate
      learnt, to keep it for the next one.
    """

    HEADROOM = 0.98
    FORGET_AFTER = 60.0
    # Added to a conversation's spacing: Slack counts a post when it arrives, and a post can arrive
    # sooner after the previous one than it left (network jitter); a 429 there costs a second.
    CHANNEL_MARGIN = 0.05
    # A workspace slot taken late by less than this share of the spacing (the event loop's own
    # latency) keeps the schedule, so the rate achieved is the rate set; later than that, the
    # schedule starts afresh from now, so a stall is never made up for with a burst.
    CATCH_UP = 0.5
    # Below this, a 429 says more about someone else using the budget than about the ceiling.
    MIN_RATE = 10.0

    def __init__(
        self,
        per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        rate: float | None = None,
        on_rate: Callable[[float], None] | None = None,
    ) -> None:
        self.interval = 1.0 / per_second
        self.clock = clock
        self.on_rate = on_rate
        self.locks: dict[str, list] = {}  # channel -> [lock, users]
        self.sent_at: dict[str, tuple[float, float]] = {}  # channel -> (previous, last) start
        self.rate: float | None = None  # learnt workspace-wide sends a second
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.limited_at = 0.0
        self.assumed_at: float | None = None
        self.admitted: deque[float] = deque()
        self.handled: deque[float] = deque()  # when Slack likely counted each answered post
        self.rtts: deque[float] = deque(maxlen=100)  # recent posts' round trips
        self.usual_rtt = 0.0  # 90th percentile of those
        self.in_flight = 0  # posts given a slot and not answered yet
        self.global_lock = asyncio.Lock()
        if rate is not None:
            self.assume(rate)

    def assume(self, rate: float) -> None:
        """Start paced at a rate learnt before (kept, like a learnt one, for a quiet minute)."""
        self.rate = max(self.MIN_RATE, rate)
        self.limited_at = self.assumed_at = self.clock()

    async def wait(self, channel: str) -> float:
        """Until `channel` may have a post; returns the slot's time, for finished()."""
        entry = self.locks.setdefault(channel, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                last = self.sent_at.get(channel, (0.0, -1e9))[1]
                delay = last + self.interval + self.CHANNEL_MARGIN - self.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._global_slot()
                slot = self.clock()
                self.sent_at[channel] = (self.sent_at.get(channel, (0.0, -1e9))[1], slot)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self.locks[channel]
        if len(self.sent_at) > 50_000:  # forget conversations whose spacing has passed
            cutoff = self.clock() - 2 * self.interval
            self.sent_at = {k: v for k, v in self.sent_at.items() if v[1] > cutoff}
        return slot

    async def _global_slot(self) -> None:
        # One waiter at a time, spaced from the previous send's start: slots are not handed out
        # ahead, so a stalled event loop cannot release a bunch of them at once over the limit.
        # Sends are never closer than (1 - CATCH_UP) spacings.
        async with self.global_lock:
            while True:
                now = self.clock()
                if self.rate is not None and now - self.limited_at > self.FORGET_AFTER:
                    self.rate = None
                at = max(now, self.paused_until, self.next_slot if self.rate else 0.0)
                if self.rate:
                    at = max(at, self._room(now))
                if at <= now:
                    self.in_flight += 1
                    if self.rate:
                        step = 1.0 / self.rate
                        late = now - self.next_slot
                        self.next_slot = (
                            self.next_slot if late < self.CATCH_UP * step else now
                        ) + step
                    return
                await asyncio.sleep(at - now)

    def _room(self, now: float) -> float:
        """When the posts Slack counted in its last second plus those in flight leave room for
        one more under the ceiling (now, mostly: the even spacing keeps below it)."""
        assert self.rate is not None
        handled = self.handled
        while handled and handled[0] <= now - 2.0:
            handled.popleft()
        recent = [t for t in handled if t > now - 1.0]
        ceiling = max(int(self.rate), round(self.rate / self.HEADROOM) - 1)
        if len(recent) + self.in_flight < ceiling:
            return now
        return min(recent) + 1.0 if recent else now + 0.005

    def admitted_one(self) -> None:
        """A post got an answer other than 429: it counted against Slack's limit."""
        now = self.clock()
        self.admitted.append(now)
        while self.admitted and now - self.admitted[0] > 2.0:
            self.admitted.popleft()

    def finished(self, slot: float, *, counted: bool) -> None:
        """The post given `slot` by wait() is over: answered (`counted`: anything but a 429, so
        Slack counted it), or rate limited, or not sent after all."""
        self.in_flight = max(0, self.in_flight - 1)
        if not counted:
            return
        self.admitted_one()
        rtt = self.clock() - slot
        self.rtts.append(rtt)
        self.usual_rtt = sorted(self.rtts)[int(len(self.rtts) * 0.9)]
        # Answered as usual: counted about when sent. Answered late: Slack was slow, and counted
        # it late, together with others held up alike.
        self.handled.append(slot + max(0.0, rtt - self.usual_rtt))

    def limited(self, channel: str, retry_after: float, *, retried: bool = False) -> None:
        """A post into `channel` got a 429. `retried`: the post was a retry, so the conversation
        may have had an attempt just before, perhaps from another process (a killed one)."""
        now = self.clock()
        previous, last = self.sent_at.get(channel, (-1e9, -1e9))
        if retried or last - previous < 2 * self.interval:
            # This conversation had (or may have had) another post just before: its own limit, not
            # the workspace's. Taking it for the workspace's would pause every send and learn a
            # rate from far too short a run. (Were it the workspace's, the next fresh post says so.)
            self.sent_at[channel] = (previous, now + retry_after - self.interval)
            return
        self.paused_until = max(self.paused_until, now + retry_after)
        self.next_slot = max(self.next_slot, self.paused_until)
        if last <= self.limited_at:
            return  # sent before the last 429 was seen: same episode, already accounted for
        through = sum(1 for t in self.admitted if now - t <= 1.0)
        if self.rate is not None and self.assumed_at is not None and now - self.assumed_at < 1.0:
            # Within a second of starting at an assumed rate, Slack's last second includes what
            # came before us (a killed run's last posts): what we got through says nothing yet.
            estimate = self.rate
        elif self.rate is None:
            estimate = float(through)
        else:
            estimate = min(self.rate, through or self.rate)
        self.assumed_at = None
        self.rate = max(self.MIN_RATE, estimate * self.HEADROOM)
        self.limited_at = now
        log.info("rate limited: pausing %.1fs, then %.1f messages/s", retry_after, self.rate)
        if self.on_rate is not None:
            self.on_rate(self.rate)


class LearnedRate:
    """The workspace-wide rate a Pacer learnt, kept in the config table: the next process (a
    rerun after a crash, a second broadcaster, the bot after a restart) starts paced at it instead
    of bursting into a 429 and a whole Retry-After pause to find it again. Only a recent one is
    used: the workspace's traffic, and so the share left to us, changes."""

    KEY = "delivery.learned_rate"
    FRESH_FOR = timedelta(hours=1)

    def __init__(self, config: ConfigRepo) -> None:
        self.config = config

    async def load(self) -> float | None:
        value = await self.config.get(self.KEY)
        try:
            rate = float(value["rate"])
            at = as_utc(datetime.fromisoformat(value["at"]))
        except (TypeError, KeyError, ValueError):
            return None
        if at is None or rate <= 0 or not utcnow() - at < self.FRESH_FOR:
            return None
        return rate

    async def save(self, rate: float) -> None:
        await self.config.set(self.KEY, {"rate": round(rate, 3), "at": utcnow().isoformat()})


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
        learned: LearnedRate | None = None,
    ) -> None:
        self.outbox = outbox
        self.messenger = messenger
        self.sealer = sealer
        self.concurrency = concurrency
        self.kinds = kinds
        self.poll_interval = poll_interval
        self.worker_id = new_worker_id()
        self.learned = learned
        self.pacer = Pacer(
            per_channel_per_second, on_rate=self._keep_rate if learned is not None else None
        )
        self.saving: set[asyncio.Task[None]] = set()
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

    def _keep_rate(self, rate: float) -> None:
        task = asyncio.get_running_loop().create_task(self._save_rate(rate))
        self.saving.add(task)
        task.add_done_callback(self.saving.discard)

    async def _save_rate(self, rate: float) -> None:
        assert self.learned is not None
        try:
            await self.learned.save(rate)
        except Exception:  # noqa: BLE001 - only an optimisation for the next process
            log.warning("could not keep the learnt rate", exc_info=True)

    async def _start_paced(self) -> None:
        """Pace from the first send at a rate learnt recently (by any process), if there is one."""
        if self.learned is None or self.pacer.rate is not None:
            return
        try:
            rate = await self.learned.load()
        except Exception:  # noqa: BLE001 - without it the pacer learns the rate itself
            log.warning("could not read the learnt rate", exc_info=True)
            return
        if rate is not None and self.pacer.rate is None:
            self.pacer.assume(rate)
            log.info("pacing at %.1f messages/s, the rate learnt earlier", rate)

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> None:
        await self._start_paced()
        renew = asyncio.create_task(self._renew_leases(stop))
        try:
            while not stop.is_set():
                free = self.concurrency - len(self.in_flight)
                claimed_at = time.monotonic()  # before: the lease runs from the claim's start
                rows = await self.outbox.claim(self.worker_id, free, self.kinds) if free > 0 else []
                for row in rows:
                    if row.id in self.in_flight:
                        # Our own claim lapsed during a stall and we took the row again: the task
                        # already holding it decides (a second one could send it twice).
                        continue
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
            if self.saving:
                await asyncio.gather(*self.saving, return_exceptions=True)

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
                # Only a claim the database still shows as ours counts as renewed: one that lapsed
                # and was taken by another worker must not look fresh again.
                for row_id in await self.outbox.renew(self.worker_id, ids):
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
                    await self._retry(row, exc.retry_after, exc.reason, in_doubt=True, count=False)
                    return
                if found is not None:
                    await self._sent(row, found)
                    return
            slot = await self.pacer.wait(target)
            counted = False  # by Slack, against its limit
            try:
                if not self._claim_is_fresh(row):
                    log.warning(
                        "delivery %s: claim may have lapsed; leaving it to be reconciled", row.id
                    )
                    await self._retry(row, 0, "claim stale", in_doubt=False, count=False)
                    return
                try:
                    ref = await self.messenger.send(target, row.message, tag=row.tag, thread=thread)
                except DeliveryError as exc:
                    counted = exc.reason != "ratelimited"
                    raise
                counted = True
            finally:
                self.pacer.finished(slot, counted=counted)
            await self._sent(row, ref)
        except DeliveryError as exc:
            await self._failed(row, exc, target)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the other deliveries
            log.exception("delivery %s failed unexpectedly", row.id)
            await self._retry(row, 30, type(exc).__name__, in_doubt=True)

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
                self.pacer.limited(
                    target, exc.retry_after, retried=row.attempts > 0 or row.in_doubt
                )
            await self._retry(row, exc.retry_after, exc.reason, in_doubt=False, count=False)
            return
        # Short first retries: a lone 5xx is usually transient, and a broadcast's tail waits on it.
        backoff = min(60.0, 0.25 * 2.0 ** min(row.attempts, 8)) * (0.5 + random.random() / 2)
        await self._retry(row, backoff, exc.reason, in_doubt=exc.in_doubt)

    async def _retry(
        self, row: OutboxRow, delay: float, reason: str, *, in_doubt: bool, count: bool = True
    ) -> None:
        await self.outbox.mark_retry(
            self.worker_id, row, delay, reason, in_doubt=in_doubt, count=count
        )
        # Look again when it is due rather than at the next poll: a broadcast's last rows (its
        # retries) are what it waits for at the end.
        asyncio.get_running_loop().call_later(delay + 0.01, self.wake.set)
