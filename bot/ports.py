"""What the core needs from a chat platform, and the neutral message it hands over.

The core stores OutMessages in the outbox; a platform's messenger renders and sends them. Nothing
here knows Slack or Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutMessage:
    kind: str  # what the renderer should draw: "tip", "relay", "case", "notice", ...
    text: str  # plain-text fallback (notifications, screen readers)
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "data": self.data}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> OutMessage:
        return cls(kind=raw["kind"], text=raw["text"], data=dict(raw.get("data") or {}))


@dataclass(frozen=True)
class SentRef:
    channel: str
    ts: str


class DeliveryError(Exception):
    """A send failed. `permanent` means retrying will not help (e.g. channel not found)."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        in_doubt: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after  # rate limited: wait this long (seconds)
        self.in_doubt = in_doubt  # no answer: the message may or may not have been posted


class Messenger(Protocol):
    async def open_dm(self, user_id: str) -> str: ...

    async def send(
        self, channel: str, message: OutMessage, *, tag: str, thread: str | None = None
    ) -> SentRef: ...

    async def find_by_tag(
        self, channel: str, tag: str, *, thread: str | None = None, oldest: float | None = None
    ) -> SentRef | None: ...


class Sealer(Protocol):
    """Encrypts what resolves to a person (the identity vault)."""

    def seal(self, value: str) -> bytes: ...

    def open(self, token: bytes) -> str: ...
