"""Weekly tip broadcast against a fake Slack that enforces Slack's limits and fails some calls.

    .venv/bin/python bench/broadcast.py [--subscribers 10000] [--global-limit 100]
        [--error-rate 0.05] [--seed 7] [--kill-after 0] [--trace FILE]

Starts the local fake Slack Web API on loopback (1 message/s per channel, a workspace-wide limit,
a share of 503s), subscribes N users, adds one channel, and runs `peerconsult tips broadcast` as a
separate process. With --kill-after S the first run is killed with SIGKILL after S seconds and run
again. Then runs it once more, which must send nothing.

Prints delivered, lost, duplicated, and the throughput: messages delivered by the broadcast runs
divided by the time from the first post to the last delivered one (across the kill and restart,
so start-up, 429 pauses, lapsed leases and retries all count), as a share of the enforced limit.
`--trace FILE` writes every Slack call as JSON lines [seconds from the first post, method, status].
Stops by itself (each run has a timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.delivery.worker import LearnedRate  # noqa: E402
from bot.guidance.library import DEFAULT_CONTENT_DIR, ContentError, load_library  # noqa: E402
from bot.runtime import build_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.repos import ConfigRepo  # noqa: E402
from bot.tips.service import tips_of  # noqa: E402
from handlers.slack.messenger import EVENT_TYPE  # noqa: E402
from tests.fakes.slack_api import FakeSlack, Limits  # noqa: E402

CHANNEL = "C0TIPSBENCH"


def content_dir(work: Path) -> Path:
    """The bundled content when it loads with tips; else a copy with a few stand-in tips."""
    source = Path(os.environ.get("PEERCONSULT_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    try:
        if load_library(source).tips:
            return source
    except ContentError:
        pass
    target = work / "content"
    shutil.copytree(source, target)
    topic = sorted(p.stem for p in (target / "topics").glob("*.yaml"))[0]
    tips = [
        {
            "id": f"bench-tip-{i}",
            "topic": topic,
            "title": f"Benchmark tip {i}",
            "body": "Say the limit once, kindly, and return to the work you came to do.",
            "phrasing": "I can't do that, and here's what I can do instead.",
        }
        for i in range(3)
    ]
    (target / "tips").mkdir(exist_ok=True)
    (target / "tips" / "tips.yaml").write_text(yaml.safe_dump({"tips": tips}))
    return target


class TimedFake(FakeSlack):
    """Remembers when each call was answered and how: [(monotonic time, method, status)]."""

    trace: list[tuple[float, str, int]]

    async def _handle(self, request):  # type: ignore[no-untyped-def]
        response = await super()._handle(request)
        self.trace.append((time.monotonic(), self.calls[-1].method, self.calls[-1].status))
        return response


def write_trace(path: Path, trace: list[tuple[float, str, int]], zero: float) -> None:
    path.write_text("".join(json.dumps([round(t - zero, 4), m, c]) + "\n" for t, m, c in trace))


def tally(fake: FakeSlack) -> Counter[str]:
    counts: Counter[str] = Counter()
    for channel, messages in fake.messages.items():
        for msg in messages:
            if (msg.get("metadata") or {}).get("event_type") == EVENT_TYPE:
                counts[channel] += 1
    return counts


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--global-limit", type=float, default=100.0)
    p.add_argument("--error-rate", type=float, default=0.05)
    p.add_argument("--kill-after", type=float, default=0.0, help="SIGKILL the first run after S s")
    p.add_argument("--timeout", type=float, default=900.0, help="give up on a run after S s")
    p.add_argument("--seed", type=int, default=7, help="the fake's server-error dice")
    p.add_argument("--trace", help="write every Slack call as JSON lines [t, method, status]")
    a = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="peerconsult-bench-"))
    fake = TimedFake(
        Limits(
            per_channel_per_s=1, global_per_s=a.global_limit, error_rate=a.error_rate, seed=a.seed
        )
    )
    fake.trace = []
    await fake.start()  # 127.0.0.1 only
    db_url = f"sqlite+aiosqlite:///{work}/bench.db"
    content = content_dir(work)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": db_url,
        "TIPS_CHANNEL_IDS": CHANNEL,
        "PEERCONSULT_CONTENT_DIR": str(content),
    }
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=db_url,
        PEERCONSULT_CONTENT_DIR=str(content),
    )
    svc = await build_services(settings)
    users = [f"U{i:07d}" for i in range(a.subscribers)]
    for user in users:
        await tips_of(svc).subscribe(user)
    await svc.db.close()
    print(f"{len(users)} subscribers + 1 channel; limit {a.global_limit:g}/s, "
          f"1/s per channel, {a.error_rate:.0%} server errors")  # fmt: skip

    starts: list[float] = []

    async def run(kill_after: float) -> tuple[int | None, str]:
        starts.append(time.monotonic())
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "tips", "broadcast",
            cwd=work, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            if kill_after:
                await asyncio.sleep(kill_after)
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
                return proc.returncode, "killed"
            out, _ = await asyncio.wait_for(proc.communicate(), a.timeout)
            return proc.returncode, out.decode().strip().splitlines()[-1]
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return None, "timed out"

    def posts(since: float = 0.0, status: int | None = None) -> list[float]:
        return [
            t
            for t, method, code in fake.trace
            if method == "chat.postMessage" and t >= since and (status is None or code == status)
        ]

    if a.kill_after:
        print("run 1:", (await run(a.kill_after))[1], f"after {sum(tally(fake).values())} sent")
    code, line = await run(0)
    wall = time.monotonic() - starts[0]
    print("run 2:" if a.kill_after else "run:", line, f"(exit {code})")
    # Measured before the check run, over everything the broadcast runs did (restart included).
    got = tally(fake)
    want = {"D" + u[1:] for u in users} | {CHANNEL}
    delivered = sum(1 for c in want if got.get(c, 0) >= 1)
    lost = len(want) - delivered
    attempts, accepted = posts(), posts(status=200)
    first, last = attempts[0], accepted[-1]  # first attempt, last message delivered
    statuses = Counter(code for _, method, code in fake.trace if method == "chat.postMessage")
    lookups = sum(1 for _, method, _ in fake.trace if method == "conversations.history")

    sent_calls = len(fake.calls_to("chat.postMessage"))
    code3, _ = await run(0)
    resent = len(fake.calls_to("chat.postMessage")) - sent_calls
    got = tally(fake)
    duplicated = sum(n - 1 for n in got.values() if n > 1)

    print(f"delivered {delivered}/{len(want)}  lost {lost}  duplicated {duplicated}  "
          f"third run sent {resent} (exit {code3})")  # fmt: skip
    print(f"responses: {dict(statuses)}, in-doubt lookups: {lookups}")
    for n, start in enumerate(starts[:-1], 1):
        if sent := posts(start):
            print(f"run {n}: first post {sent[0] - start:.2f}s after the process started")
    before, after = [t for t in attempts if t < starts[1]], posts(starts[1])
    if a.kill_after and before and after:
        print(f"restart: {after[0] - before[-1]:.2f}s from the killed run's last post "
              f"to the rerun's first")  # fmt: skip
    gaps = sorted(
        ((b - a, a - first) for a, b in zip(attempts, attempts[1:], strict=False)), reverse=True
    )
    print("longest gaps between posts: " + ", ".join(f"{g:.2f}s at +{t:.1f}s" for g, t in gaps[:5]))
    span = last - first
    print(f"{span:.1f}s from the first post to the last delivered one ({wall:.1f}s wall, "
          f"process starts included)")  # fmt: skip
    print(f"throughput {delivered / span:.1f} delivered/s = {delivered / span / a.global_limit:.1%} "
          f"of the enforced limit (all answered posts incl. 5xx: "
          f"{(statuses[200] + statuses[503]) / span / a.global_limit:.1%})")  # fmt: skip
    db = Database(db_url)
    print(f"learnt rate kept for the next run: {await ConfigRepo(db).get(LearnedRate.KEY)}")
    await db.close()
    if a.trace:
        write_trace(Path(a.trace), fake.trace, first)
    await fake.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
