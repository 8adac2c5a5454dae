"""The outbox and delivery worker against the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery import DeliveryWorker, Outbox
from bot.ports import OutMessage
from bot.store import Database
from handlers.slack.messenger import SlackMessenger, delivery_client
from tests.dbs import backends, url_for
from tests.fakes.slack_api import FakeSlack, Limits


async def _setup(backend: str, tmp_path, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    fake = FakeSlack(limits or Limits())
    await fake.start()
    db = Database(await url_for(backend, tmp_path))
    await db.create_schema()
    outbox = Outbox(db)
    messenger = SlackMessenger(delivery_client("xoxb-test", fake.base_url))
    return fake, db, outbox, messenger


async def _enqueue(db: Database, outbox: Outbox, n: int, channel: str | None = None) -> None:
    async with db.engine.begin() as conn:
        for i in range(n):
            target = channel or f"U{i:05d}"
            await outbox.enqueue(
                conn,
                key=f"t:{i}",
                kind="notice",
                target=target.encode(),
                message=OutMessage("notice", f"hello {i}"),
            )


def _delivered(fake: FakeSlack) -> list[str]:
    return [c.args["text"] for c in fake.calls_to("chat.postMessage")]


@backends
async def test_enqueue_is_idempotent_and_everything_is_sent_once(backend: str, tmp_path) -> None:
    fake, db, outbox, messenger = await _setup(backend, tmp_path, Limits(error_rate=0.2, seed=3))
    await _enqueue(db, outbox, 30)
    await _enqueue(db, outbox, 30)  # same keys: nothing new
    worker = DeliveryWorker(outbox, messenger, concurrency=8, poll_interval=0.05)
    worker_task = worker.run(asyncio.Event(), until_idle=True)
    await asyncio.wait_for(worker_task, 60)
    sent = _delivered(fake)
    assert sorted(sent) == sorted(f"hello {i}" for i in range(30))
    assert any(c.status == 503 for c in fake.calls)  # errors happened and were retried
    assert (await outbox.counts("t:")) == {"sent": 30}
    await fake.stop()
    await db.close()


@backends
async def test_rate_limit_is_honoured(backend: str, tmp_path) -> None:
    fake, db, outbox, messenger = await _setup(backend, tmp_path, Limits(per_channel_per_s=1))
    await _enqueue(db, outbox, 3, channel="C0TIPS")
    worker = DeliveryWorker(
        outbox, messenger, concurrency=4, poll_interval=0.05, per_channel_per_second=5
    )
    await asyncio.wait_for(worker.run(asyncio.Event(), until_idle=True), 30)
    assert len(_delivered(fake)) == 3
    assert any(c.status == 429 for c in fake.calls)
    await fake.stop()
    await db.close()


@backends
async def test_two_workers_never_send_the_same_row(backend: str, tmp_path) -> None:
    fake, db, outbox, messenger = await _setup(backend, tmp_path)
    await _enqueue(db, outbox, 60)
    workers = [
        DeliveryWorker(Outbox(db), messenger, concurrency=6, poll_interval=0.02) for _ in range(2)
    ]
    await asyncio.wait_for(
        asyncio.gather(*(w.run(asyncio.Event(), until_idle=True) for w in workers)), 60
    )
    sent = _delivered(fake)
    assert len(sent) == 60 and len(set(sent)) == 60
    await fake.stop()
    await db.close()


@backends
async def test_in_doubt_row_is_found_by_tag_not_resent(backend: str, tmp_path, monkeypatch) -> None:
    from datetime import timedelta

    from bot.delivery import outbox as outbox_mod

    fake, db, outbox, messenger = await _setup(backend, tmp_path)
    await _enqueue(db, outbox, 2, channel="C0TIPS")
    # A worker claims both rows, sends the first, then "dies" before recording anything.
    monkeypatch.setattr(outbox_mod, "LEASE", timedelta(seconds=0))
    dead = await outbox.claim("dead-worker", 10)
    monkeypatch.undo()  # the live worker keeps normal leases
    assert len(dead) == 2
    await messenger.send("C0TIPS", dead[0].message, tag=dead[0].tag)
    worker = DeliveryWorker(
        outbox, messenger, concurrency=4, poll_interval=0.02, per_channel_per_second=50
    )
    await asyncio.wait_for(worker.run(asyncio.Event(), until_idle=True), 30)
    assert sorted(_delivered(fake)) == ["hello 0", "hello 1"]  # the first was not sent twice
    assert len(fake.calls_to("conversations.history")) == 2  # both were reconciled first
    await fake.stop()
    await db.close()


@backends
async def test_a_second_worker_starts_paced_at_the_rate_the_first_learnt(
    backend: str, tmp_path
) -> None:
    from bot.delivery.worker import LearnedRate
    from bot.store.repos import ConfigRepo

    fake, db, outbox, messenger = await _setup(backend, tmp_path, Limits(global_per_s=20))
    await _enqueue(db, outbox, 40)
    first = DeliveryWorker(
        outbox, messenger, concurrency=16, poll_interval=0.02, learned=LearnedRate(ConfigRepo(db))
    )
    await asyncio.wait_for(first.run(asyncio.Event(), until_idle=True), 60)
    burst = sum(1 for c in fake.calls if c.status == 429)
    assert burst > 0 and first.pacer.rate is not None  # it burst into the limit and learnt it
    kept = await LearnedRate(ConfigRepo(db)).load()
    assert kept == pytest.approx(first.pacer.rate, rel=0.01)

    async with db.engine.begin() as conn:
        for i in range(40):
            await outbox.enqueue(
                conn,
                key=f"u:{i}",
                kind="notice",
                target=f"U{i:05d}".encode(),
                message=OutMessage("notice", f"again {i}"),
            )
    await asyncio.sleep(1.1)  # Slack's one-second window no longer holds the first worker's posts
    second = DeliveryWorker(
        Outbox(db),
        messenger,
        concurrency=16,
        poll_interval=0.02,
        learned=LearnedRate(ConfigRepo(db)),
    )
    await asyncio.wait_for(second.run(asyncio.Event(), until_idle=True), 60)
    assert len(_delivered(fake)) == 80
    assert sum(1 for c in fake.calls if c.status == 429) == burst  # paced from its first post
    await fake.stop()
    await db.close()


@backends
async def test_a_learnt_rate_is_used_only_while_recent(backend: str, tmp_path) -> None:
    from datetime import timedelta

    from bot.delivery.worker import LearnedRate
    from bot.store.common import utcnow
    from bot.store.repos import ConfigRepo

    db = Database(await url_for(backend, tmp_path))
    await db.create_schema()
    learned = LearnedRate(ConfigRepo(db))
    assert await learned.load() is None
    await learned.save(42.5)
    assert await learned.load() == 42.5
    old = (utcnow() - LearnedRate.FRESH_FOR - timedelta(minutes=1)).isoformat()
    await ConfigRepo(db).set(LearnedRate.KEY, {"rate": 42.5, "at": old})
    assert await learned.load() is None
    await ConfigRepo(db).set(LearnedRate.KEY, "garbage")
    assert await learned.load() is None
    await db.close()
