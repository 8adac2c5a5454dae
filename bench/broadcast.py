"""Weekly tip broadcast against a fake Slack that enforces Slack's limits and fails some calls.

    .venv/bin/python bench/broadcast.py [--subscribers 10000] [--global-limit 100]
        [--error-rate 0.05] [--kill-after 0]

Starts the local fake Slack Web API on loopback (1 message/s per channel, a workspace-wide limit,
a share of 503s), subscribes N users, adds one channel, and runs `peerconsult tips broadcast` as a
separate process. With --kill-after S the first run is killed with SIGKILL after S seconds and run
again. Prints delivered, lost, duplicated, elapsed and throughput as a share of the enforced limit.
Stops by itself (each run has a timeout).
"""

from __future__ import annotations

import argparse
import asyncio
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

from bot.guidance.library import DEFAULT_CONTENT_DIR, ContentError, load_library  # noqa: E402
from bot.runtime import build_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
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
    """Remembers when each post was accepted, for the sending-period throughput."""

    post_times: list[float]

    async def _answer(self, method: str, args: dict) -> dict:  # type: ignore[type-arg]
        if method == "chat.postMessage":
            self.post_times.append(time.monotonic())
        return await super()._answer(method, args)


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
    a = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="peerconsult-bench-"))
    fake = TimedFake(
        Limits(per_channel_per_s=1, global_per_s=a.global_limit, error_rate=a.error_rate)
    )
    fake.post_times = []
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

    async def run(kill_after: float) -> tuple[int | None, str]:
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

    started = time.monotonic()
    if a.kill_after:
        print("run 1:", (await run(a.kill_after))[1], f"after {sum(tally(fake).values())} sent")
    code, line = await run(0)
    wall = time.monotonic() - started
    print("run 2:" if a.kill_after else "run:", line, f"(exit {code})")
    sent_calls = len(fake.calls_to("chat.postMessage"))
    code3, _ = await run(0)
    resent = len(fake.calls_to("chat.postMessage")) - sent_calls

    got = tally(fake)
    want = {"D" + u[1:] for u in users} | {CHANNEL}
    delivered = sum(1 for c in want if got.get(c, 0) >= 1)
    lost = len(want) - delivered
    duplicated = sum(n - 1 for n in got.values() if n > 1)
    posts = [c for c in fake.calls if c.method == "chat.postMessage"]
    statuses = Counter(c.status for c in posts)
    times = fake.post_times
    sending = (max(times) - min(times)) if len(times) > 1 else wall
    print(f"delivered {delivered}/{len(want)}  lost {lost}  duplicated {duplicated}  "
          f"re-run sent {resent} (exit {code3})")  # fmt: skip
    print(f"responses: {dict(statuses)}")
    gaps = sorted(
        ((b - a, a - times[0]) for a, b in zip(times, times[1:], strict=False)), reverse=True
    )
    print("longest gaps between posts: " + ", ".join(f"{g:.2f}s at +{t:.1f}s" for g, t in gaps[:5]))
    print(f"elapsed {wall:.1f}s wall (incl. process starts), {sending:.1f}s first to last post")
    print(f"throughput {delivered / sending:.1f}/s = {delivered / sending / a.global_limit:.0%} "
          f"of the enforced limit (accepted incl. 5xx: "
          f"{(statuses[200] + statuses[503]) / sending / a.global_limit:.0%})")  # fmt: skip
    await fake.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
