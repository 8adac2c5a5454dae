"""`peerconsult serve` as a real process: health, a signed command, clean SIGTERM shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.slack_client import SIGNING_SECRET, SlackSender

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_answers_health_and_commands_then_stops_on_sigterm(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "PORT": str(port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - handed to the child process
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    health = await http.get(base + "/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError((tmp_path / "serve.log").read_text())
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        sender = SlackSender(base, fake_slack.response_url())
        resp = await sender.command("/boundary", "a client offered me cash")
        await sender.close()
        assert resp.status_code == 200 and resp.json()["blocks"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in text
    assert "a client offered me cash" not in text  # no message text in logs
