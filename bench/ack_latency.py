"""Acknowledgement latency of `/boundary` under load, beside a bare Bolt app, in the same run.

    .venv/bin/python bench/ack_latency.py [--requests 400] [--concurrency 20] [--rounds 2]

Starts a local fake Slack Web API, `peerconsult serve` and bench/bare_bolt.py as separate
processes on loopback, sends signed slash commands like Slack does, and prints p50/p99 for each.
Rounds alternate between the two servers so machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.slack_client import SIGNING_SECRET, sign  # noqa: E402

SITUATIONS = [
    "my client keeps flirting with me and asked me out",
    "a client offered me cash after our last session",
    "pt wants my personal cell number so she can text me",
    "my supervisor keeps asking me to get drinks after work",
    "resident's daughter asked me to be her friend on facebook",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_up(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                await http.post(url, content=b"")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


async def load(url: str, n: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:

        async def one(i: int) -> None:
            body = urlencode(
                {
                    "team_id": "T0TEST",
                    "user_id": f"U{i % 50:05d}",
                    "command": "/boundary",
                    "text": SITUATIONS[i % len(SITUATIONS)],
                    "channel_id": "C0GEN",
                    "response_url": "http://127.0.0.1:9/none",
                    "trigger_id": "1.2.3",
                    "api_app_id": "A1",
                }
            )
            async with sem:
                ts = int(time.time())
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": str(ts),
                    "X-Slack-Signature": sign(body, ts),
                }
                t0 = time.perf_counter()
                resp = await http.post(url, content=body.encode(), headers=headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200, resp.status_code

        await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()

    fake_port, ours_port, bare_port = free_port(), free_port(), free_port()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"pc-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{fake_port}/api/",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
    }
    env.pop("SLACK_APP_TOKEN", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.slack_api", "--port", str(fake_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp,
            env={**env, "PORT": str(ours_port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_bolt.py")],
            cwd=ROOT,
            env={**env, "PORT": str(bare_port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        ours_url = f"http://127.0.0.1:{ours_port}/slack/events"
        bare_url = f"http://127.0.0.1:{bare_port}/slack/events"
        await wait_up(ours_url)
        await wait_up(bare_url)
        await load(ours_url, 40, 5)  # warm-up: auth.test, imports, caches
        await load(bare_url, 40, 5)
        results: dict[str, list[float]] = {"peerconsult": [], "bare bolt": []}
        for _ in range(args.rounds):
            results["bare bolt"] += await load(bare_url, args.requests, args.concurrency)
            results["peerconsult"] += await load(ours_url, args.requests, args.concurrency)
        print(
            f"{args.requests} signed /boundary requests x {args.rounds} rounds, concurrency {args.concurrency}"
        )
        for name, lat in results.items():
            print(
                f"{name:12} p50={pct(lat, 0.5):7.2f} ms  p99={pct(lat, 0.99):7.2f} ms  max={max(lat):7.2f} ms"
            )
        ratio = pct(results["peerconsult"], 0.99) / pct(results["bare bolt"], 0.99)
        print(f"p99 ratio peerconsult / bare bolt: {ratio:.2f} (target <= 1.5)")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
