"""The core's Messenger port over slack_sdk: render neutral messages, post them tagged with
message metadata, and find a tagged message again when a send's outcome is unknown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import DeliveryError, OutMessage, SentRef

EVENT_TYPE = "peerconsult_delivery"
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "account_inactive",
        "cannot_dm_bot",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "user_disabled",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
        "invalid_metadata_format",
        "thread_not_found",
        "invalid_thread_ts",
    }
)
Renderer = Callable[[OutMessage], list[dict[str, Any]]]


def delivery_client(token: str | None, base_url: str) -> AsyncWebClient:
    """No automatic retries here: a retried post could duplicate, so the worker decides."""
    return AsyncWebClient(token=token, base_url=base_url, timeout=10, retry_handlers=[])


class SlackMessenger:
    def __init__(
        self, client: AsyncWebClient, renderers: dict[str, Renderer] | None = None
    ) -> None:
        self.client = client
        self.renderers: dict[str, Renderer] = dict(renderers or {})
        self.dm_cache: dict[str, str] = {}

    def register(self, kind: str, renderer: Renderer) -> None:
        self.renderers[kind] = renderer

    async def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return await self.client.api_call(method, json=kwargs)
        except SlackApiError as exc:
            resp = exc.response
            error = str(resp.get("error", "unknown_error"))
            if resp.status_code == 429:
                retry = float(resp.headers.get("Retry-After", resp.headers.get("retry-after", 1)))
                raise DeliveryError("ratelimited", retry_after=retry) from None
            if resp.status_code >= 500:
                # Slack: "it's possible some aspect of the operation succeeded" - look before resending.
                raise DeliveryError(f"server_error_{resp.status_code}", in_doubt=True) from None
            raise DeliveryError(error, permanent=error in PERMANENT_ERRORS) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryError(type(exc).__name__, in_doubt=True) from None

    async def open_dm(self, user_id: str) -> str:
        if user_id not in self.dm_cache:
            resp = await self._call("conversations.open", users=user_id)
            self.dm_cache[user_id] = resp["channel"]["id"]
        return self.dm_cache[user_id]

    async def send(
        self, channel: str, message: OutMessage, *, tag: str, thread: str | None = None
    ) -> SentRef:
        render = self.renderers.get(message.kind)
        args: dict[str, Any] = {
            "channel": channel,
            "text": message.text[:39000],
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": EVENT_TYPE, "event_payload": {"tag": tag}},
        }
        if render is not None:
            args["blocks"] = render(message)
        if thread:
            args["thread_ts"] = thread
        resp = await self._call("chat.postMessage", **args)
        return SentRef(channel=resp["channel"], ts=resp["ts"])

    async def find_by_tag(
        self, channel: str, tag: str, *, thread: str | None = None, oldest: float | None = None
    ) -> SentRef | None:
        if channel.startswith(("U", "W")):  # a DM addressed by user id
            channel = await self.open_dm(channel)
        args: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": 200}
        if oldest is not None:
            args["oldest"] = f"{max(oldest, 0):.6f}"
        if thread:
            resp = await self._call("conversations.replies", ts=thread, **args)
        else:
            resp = await self._call("conversations.history", **args)
        for msg in resp.get("messages", []):
            meta = msg.get("metadata") or {}
            if (
                meta.get("event_type") == EVENT_TYPE
                and (meta.get("event_payload") or {}).get("tag") == tag
            ):
                return SentRef(channel=channel, ts=msg["ts"])
        return None
