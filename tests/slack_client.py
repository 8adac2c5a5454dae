"""Sends requests to the bot exactly as Slack does: form or JSON bodies, signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

SIGNING_SECRET = "test-signing-secret"


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    def __init__(self, base_url: str, response_url: str, team_id: str = "T0TEST") -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.response_url = response_url
        self.team_id = team_id
        self.http = httpx.AsyncClient(timeout=30)

    async def close(self) -> None:
        await self.http.aclose()

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        unsigned: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = int(time.time()) if timestamp is None else timestamp
        h = {"Content-Type": content_type, **(headers or {})}
        if not unsigned:
            h["X-Slack-Request-Timestamp"] = str(ts)
            h["X-Slack-Signature"] = signature or sign(body, ts)
        return await self.http.post(self.url, content=body.encode(), headers=h)

    async def command(
        self, command: str, text: str, user: str = "UWORKER1", **kw: Any
    ) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": self.team_id,
            "team_domain": "test",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": "worker",
            "command": command,
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": self.response_url,
            "trigger_id": "1337.42.abcd",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        payload = {
            "team": {"id": self.team_id, "domain": "test"},
            "api_app_id": "A0TEST",
            **payload,
        }
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def action(
        self, action_id: str, value: str, user: str = "UWORKER1", **extra: Any
    ) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team_id},
            "trigger_id": "1337.42.abcd",
            "response_url": self.response_url,
            "container": {"type": "message", "is_ephemeral": True},
            "channel": {"id": "C0GENERAL"},
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "type": "button",
                    "value": value,
                    "action_ts": "1",
                }
            ],
            **extra,
        }
        return await self.interactive(payload)

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev1", **kw: Any
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": self.team_id,
                "api_app_id": "A0TEST",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", **kw)
