"""A local fake of Slack's Web API: records every call, answers like Slack, and can misbehave.

Used by tests (via SLACK_API_URL) and by the benchmarks. It enforces, when asked, Slack's
chat.postMessage limits (per channel per second, workspace-wide per second) with 429 and
Retry-After, and injects server errors at a given rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int = 200


@dataclass
class Limits:
    per_channel_per_s: float | None = None
    global_per_s: float | None = None
    error_rate: float = 0.0
    seed: int = 7


@dataclass
class FakeSlack:
    limits: Limits = field(default_factory=Limits)
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    team_id: str = "T0TEST"
    bot_user_id: str = "UBOT"
    _ts = itertools.count(1)
    _channel_hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _global_hits: deque[float] = field(default_factory=deque)
    port: int = 0
    _runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self, port: int = 0) -> str:
        self._rng = random.Random(self.limits.seed)
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)  # slack_sdk GETs users.info
        app.router.add_post("/response/{key}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # ---- inspection ------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def all_payload_text(self) -> str:
        return json.dumps([c.args for c in self.calls], ensure_ascii=False)

    # ---- handlers --------------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype:
            args = json.loads(raw or b"{}")
        else:
            args = dict(parse_qsl(raw.decode()))
            for key in ("blocks", "metadata", "view", "attachments"):
                if isinstance(args.get(key), str):
                    with contextlib.suppress(ValueError):
                        args[key] = json.loads(args[key])
        args.update(dict(request.query))
        return args

    def _rate_limited(self, channel: str) -> float | None:
        now = time.monotonic()
        lim = self.limits
        if lim.global_per_s:
            q = self._global_hits
            while q and now - q[0] >= 1.0:
                q.popleft()
            if len(q) >= lim.global_per_s:
                return max(0.05, 1.0 - (now - q[0]))
        if lim.per_channel_per_s:
            q = self._channel_hits[channel]
            while q and now - q[0] >= 1.0:
                q.popleft()
            if len(q) >= lim.per_channel_per_s:
                return max(0.05, 1.0 - (now - q[0]))
        if lim.global_per_s:
            self._global_hits.append(now)
        if lim.per_channel_per_s:
            self._channel_hits[channel].append(now)
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        if method == "chat.postMessage":
            wait = self._rate_limited(str(args.get("channel")))
            if wait is not None:
                self.calls.append(Call(method, args, 429))
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
            if self.limits.error_rate and self._rng.random() < self.limits.error_rate:
                self.calls.append(Call(method, args, 503))
                return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        self.calls.append(Call(method, args))
        body = await self._answer(method, args)
        return web.json_response(body)

    async def _response_url(self, request: web.Request) -> web.Response:
        args = json.loads(await request.read() or b"{}")
        self.calls.append(Call("response_url", args))
        return web.json_response({"ok": True})

    async def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "BBOT",
                "user": "peerconsult",
                "team": "Test",
                "url": "https://test.slack.com/",
            }
        if method == "chat.postMessage":
            channel = str(args.get("channel"))
            if channel.startswith("U"):  # posting to a user id opens the DM
                channel = "D" + channel[1:]
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            msg = {
                "ts": ts,
                "text": args.get("text"),
                "blocks": args.get("blocks"),
                "metadata": args.get("metadata"),
                "thread_ts": args.get("thread_ts"),
                "bot_id": "BBOT",
            }
            self.messages[channel].append(msg)
            return {"ok": True, "channel": channel, "ts": ts, "message": msg}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
        if method in ("conversations.history", "conversations.replies"):
            channel = str(args.get("channel"))
            msgs = list(reversed(self.messages.get(channel, [])))
            if method == "conversations.replies":
                root = args.get("ts")
                msgs = [m for m in msgs if m.get("thread_ts") == root or m["ts"] == root]
            out = []
            for m in msgs:
                item = {k: v for k, v in m.items() if v is not None}
                if str(args.get("include_all_metadata", "")).lower() not in ("true", "1"):
                    item.pop("metadata", None)
                out.append(item)
            return {"ok": True, "messages": out[: int(args.get("limit", 100))], "has_more": False}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method in ("views.publish", "views.open", "views.update", "views.push"):
            return {
                "ok": True,
                "view": {"id": "V" + str(next(self._ts)), **(args.get("view") or {})},
            }
        return {"ok": True}


async def main(
    port: int, per_channel: float | None, global_limit: float | None, error_rate: float
) -> None:
    fake = FakeSlack(Limits(per_channel, global_limit, error_rate))
    await fake.start(port)
    print(fake.base_url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--per-channel", type=float)
    p.add_argument("--global-limit", type=float)
    p.add_argument("--error-rate", type=float, default=0.0)
    a = p.parse_args()
    asyncio.run(main(a.port, a.per_channel, a.global_limit, a.error_rate))
