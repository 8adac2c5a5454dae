"""`peerconsult tips broadcast` against the fake Slack enforcing limits and failing some calls:
everyone gets exactly one tip, through 429s, 5xx, two racing broadcasters and a SIGKILL."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.delivery import DeliveryWorker
from bot.delivery.worker import Pacer
from bot.guidance.library import DEFAULT_CONTENT_DIR
from bot.runtime import build_services
from bot.settings import Settings
from bot.tips.service import tips_of
from handlers.slack.main import broadcast_now
from handlers.slack.messenger import EVENT_TYPE, SlackMessenger, delivery_client
from handlers.slack.render.outbound import RENDERERS
from tests.conftest import make_settings, shared_guidance
from tests.fakes.slack_api import FakeSlack, Limits
from tests.handlers.test_tips import synthetic_tips
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


async def started(limits: Limits) -> FakeSlack:
    fake = FakeSlack(limits)
    await fake.start()
    return fake


def tips_received(fake: FakeSlack) -> Counter[str]:
    """Tip messages Slack holds, per conversation (what people actually see)."""
    counts: Counter[str] = Counter()
    for channel, messages in fake.messages.items():
        for msg in messages:
            if (msg.get("metadata") or {}).get("event_type") == EVENT_TYPE and any(
                b.get("block_id") == "tip" for b in msg.get("blocks") or []
            ):
                counts[channel] += 1
    return counts


def expected(users: list[str], channel: str) -> Counter[str]:
    return Counter({("D" + u[1:]): 1 for u in users} | {channel: 1})


async def prepare(settings: Settings, n: int, monkeypatch: Any) -> list[str]:
    guidance = shared_guidance(settings)
    monkeypatch.setattr(guidance.library, "tips", synthetic_tips(guidance.library))
    svc = await build_services(settings, guidance)
    users = [f"U{i:05d}" for i in range(n)]
    for user in users:
        await tips_of(svc).subscribe(user)
    await svc.db.close()
    return users


async def test_broadcast_through_429_and_5xx_once_each_and_rerun_sends_nothing(
    db_url: str, monkeypatch: Any, capsys: Any
) -> None:
    fake = await started(Limits(per_channel_per_s=1, global_per_s=25, error_rate=0.1, seed=5))
    settings = make_settings(fake, db_url, TIPS_CHANNEL_IDS="C0TIPS")
    users = await prepare(settings, 60, monkeypatch)
    guidance = shared_guidance(settings)

    assert await broadcast_now(settings, guidance) == 0
    assert tips_received(fake) == expected(users, "C0TIPS")
    statuses = Counter(c.status for c in fake.calls if c.method == "chat.postMessage")
    assert statuses[429] > 0 and statuses[503] > 0  # both happened and were survived
    assert "61 delivered" in capsys.readouterr().out

    posts = len(fake.calls_to("chat.postMessage"))
    assert await broadcast_now(settings, guidance) == 0
    assert len(fake.calls_to("chat.postMessage")) == posts
    assert "61 delivered (0 now)" in capsys.readouterr().out
    await fake.stop()


async def test_two_broadcasters_at_once_send_each_tip_once(db_url: str, monkeypatch: Any) -> None:
    fake = await started(Limits(global_per_s=40, error_rate=0.05, seed=9))
    settings = make_settings(fake, db_url, TIPS_CHANNEL_IDS="C0TIPS")
    users = await prepare(settings, 50, monkeypatch)
    guidance = shared_guidance(settings)
    codes = await asyncio.gather(
        broadcast_now(settings, guidance), broadcast_now(settings, guidance)
    )
    assert codes == [0, 0]
    assert tips_received(fake) == expected(users, "C0TIPS")
    await fake.stop()


async def test_worker_learns_the_workspace_limit_from_429(db_url: str, monkeypatch: Any) -> None:
    fake = await started(Limits(global_per_s=20))
    settings = make_settings(fake, db_url)
    users = await prepare(settings, 70, monkeypatch)
    svc = await build_services(settings, shared_guidance(settings))
    await tips_of(svc).broadcast()
    worker = DeliveryWorker(
        svc.outbox,
        SlackMessenger(delivery_client("xoxb-test", fake.base_url), RENDERERS),
        concurrency=16,
        poll_interval=0.05,
    )
    await asyncio.wait_for(worker.run(asyncio.Event(), until_idle=True), 60)
    assert tips_received(fake) == Counter({("D" + u[1:]): 1 for u in users})
    limited = [c for c in fake.calls if c.status == 429]
    assert limited  # the burst found the limit...
    assert worker.pacer.rate is not None and worker.pacer.rate <= 20  # ...and learnt it
    # After learning, sends stay under it: most 429s come from the first burst only.
    assert len(limited) < len(users) / 2
    await svc.db.close()
    await fake.stop()


async def test_pacer_tells_a_conversation_limit_from_the_workspace_limit() -> None:
    now = [100.0]
    pacer = Pacer(1.0, clock=lambda: now[0])
    pacer.sent_at["C1"] = (99.2, 100.0)  # two posts into C1 within a second
    pacer.limited("C1", 1.0)
    assert pacer.rate is None and pacer.paused_until == 0.0
    assert pacer.sent_at["C1"][1] == 100.0  # C1 alone waits: next post at >= 101
    for _ in range(30):
        pacer.admitted_one()
        now[0] += 0.01
    pacer.sent_at["U1"] = (-1e9, now[0])  # first post into U1: the workspace is full
    pacer.limited("U1", 2.0)
    assert pacer.paused_until == pytest.approx(now[0] + 2.0)
    assert pacer.rate == pytest.approx(30 * Pacer.HEADROOM)


async def test_pacer_after_a_restart_keeps_its_rate_through_the_predecessors_last_posts() -> None:
    now = [100.0]
    pacer = Pacer(1.0, clock=lambda: now[0], rate=50.0)
    # A retry's 429: its conversation may have had an attempt a moment ago (from a killed run).
    pacer.sent_at["U1"] = (-1e9, now[0])
    pacer.limited("U1", 1.0, retried=True)
    assert pacer.paused_until == 0.0 and pacer.rate == 50.0
    # A workspace 429 within a second of starting at a learnt rate: Slack's last second still
    # held the killed run's posts, so the few of ours that got through are not the ceiling.
    pacer.admitted_one()
    now[0] += 0.3
    pacer.sent_at["U2"] = (-1e9, now[0])
    pacer.limited("U2", 1.0)
    assert pacer.paused_until == pytest.approx(now[0] + 1.0)
    assert pacer.rate == pytest.approx(50.0 * Pacer.HEADROOM)


def content_with_tips(tmp_path: Path) -> Path:
    """A copy of the library whose tips are known, so the subprocess sees the same tips."""
    source = Path(os.environ.get("PEERCONSULT_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    target = tmp_path / "content"
    shutil.copytree(source, target)
    topics = sorted(p.stem for p in (target / "topics").glob("*.yaml"))[:3]
    tips = [
        {
            "id": f"crash-tip-{i}",
            "topic": topic,
            "title": f"Crash test tip {i}",
            "body": "Say the limit once, kindly, and return to the work you came to do.",
            "phrasing": "I can't do that, and here's what I can do instead.",
        }
        for i, topic in enumerate(topics)
    ]
    (target / "tips").mkdir(exist_ok=True)
    (target / "tips" / "tips.yaml").write_text(yaml.safe_dump({"tips": tips}))
    return target


async def test_killed_broadcast_resumes_without_loss_or_duplicates(
    tmp_path: Path, db_url: str, monkeypatch: Any
) -> None:
    fake = await started(Limits(per_channel_per_s=1, global_per_s=30, error_rate=0.05, seed=11))
    content = content_with_tips(tmp_path)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": db_url,
        "TIPS_CHANNEL_IDS": "C0TIPS",
        "PEERCONSULT_CONTENT_DIR": str(content),
    }
    settings = make_settings(fake, db_url, PEERCONSULT_CONTENT_DIR=str(content))
    svc = await build_services(settings, shared_guidance(settings))
    users = [f"U{i:05d}" for i in range(150)]
    for user in users:
        await tips_of(svc).subscribe(user)

    async def broadcast() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "tips", "broadcast",
            cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip

    first = await broadcast()
    await eventually(lambda: sum(tips_received(fake).values()) >= 40, within=60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    sent_before = sum(tips_received(fake).values())
    assert sent_before < len(users)  # really killed mid-broadcast

    second = await broadcast()
    out, _ = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 0, out.decode()
    assert tips_received(fake) == expected(users, "C0TIPS")
    assert "151 delivered" in out.decode()

    posts = len(fake.calls_to("chat.postMessage"))
    third = await broadcast()
    out, _ = await asyncio.wait_for(third.communicate(), 60)
    assert third.returncode == 0 and "(0 now)" in out.decode()
    assert len(fake.calls_to("chat.postMessage")) == posts
    report = await tips_of(svc).report()
    assert report is not None and (report.delivered, report.pending, report.failed) == (151, 0, 0)
    await svc.db.close()
    await fake.stop()
