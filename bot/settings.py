"""One Settings object, read from the environment or `.env` (names are in CONTRACT.md)."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_ID_RE = re.compile(r"^[UWCGD][A-Z0-9]{2,}$")
SCHEDULE_RE = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

IdList = Annotated[list[str], NoDecode]


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line an operator can act on."""


def _id_list(value: object, name: str) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    ids = [str(item).strip() for item in items if str(item).strip()]
    for item in ids:
        if not SLACK_ID_RE.match(item):
            raise ValueError(f"{item!r} is not a Slack id (like U0123ABCD or C0123ABCD)")
    return ids


def parse_schedule(value: str) -> tuple[int, int, int]:
    """`MON 09:00` -> (weekday 0-6, hour, minute)."""
    match = SCHEDULE_RE.match(value.strip().upper())
    if not match:
        raise ValueError("use a weekday and a 24-hour time, e.g. 'MON 09:00'")
    return WEEKDAYS.index(match.group(1)), int(match.group(2)), int(match.group(3))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DATABASE_URL: str = "sqlite+aiosqlite:///./peerconsult.db"
    PORT: int = Field(default=3000, ge=1, le=65535)
    PEERCONSULT_SECRET_KEY: str | None = None
    SUPERVISOR_USER_IDS: IdList = Field(default_factory=list)
    ADMIN_USER_IDS: IdList = Field(default_factory=list)
    ONCALL_LINE: str | None = None
    ESCALATION_CHANNEL_ID: str | None = None
    TIPS_CHANNEL_IDS: IdList = Field(default_factory=list)
    TIPS_SCHEDULE: str = "MON 09:00"
    TIPS_TIMEZONE: str = "UTC"
    # Not in the contract: where the guidance library lives (tests and agencies point it elsewhere).
    PEERCONSULT_CONTENT_DIR: str | None = None
    # Not in the contract: the escalation response clock and retention.
    ESCALATION_REMIND_HOURS: float = Field(default=24.0, gt=0)
    ESCALATION_URGENT_REMIND_HOURS: float = Field(default=1.0, gt=0)
    ESCALATION_CLOCK_SECONDS: float = Field(default=60.0, gt=0)  # how often the clock checks
    RETENTION_DAYS: int = Field(default=90, ge=1)  # closed cases are purged after this

    @field_validator("SUPERVISOR_USER_IDS", "ADMIN_USER_IDS", "TIPS_CHANNEL_IDS", mode="before")
    @classmethod
    def _ids(cls, value: object, info) -> list[str]:  # type: ignore[no-untyped-def]
        return _id_list(value, info.field_name)

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value and not value.startswith("xoxb-"):
            raise ValueError("a bot token starts with 'xoxb-' (OAuth & Permissions page)")
        return value or None

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value and not value.startswith("xapp-"):
            raise ValueError("an app-level token starts with 'xapp-' (Basic Information page)")
        return value or None

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # Accept the usual form and use the async driver.
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("ESCALATION_CHANNEL_ID")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value and not SLACK_ID_RE.match(value):
            raise ValueError(f"{value!r} is not a Slack channel id (like C0123ABCD)")
        return value or None

    @field_validator("TIPS_SCHEDULE")
    @classmethod
    def _schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value.strip().upper()

    @field_validator("TIPS_TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("use an IANA time zone name, e.g. America/Chicago") from exc
        return value

    @field_validator("PEERCONSULT_SECRET_KEY")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if not value:
            return None
        from cryptography.fernet import Fernet

        try:
            Fernet(value.encode())
        except (ValueError, TypeError) as exc:
            raise ValueError("not a valid key; run `peerconsult keygen` to make one") from exc
        return value

    @property
    def has_slack(self) -> bool:
        return bool(self.SLACK_BOT_TOKEN)

    @property
    def socket_mode(self) -> bool:
        return bool(self.SLACK_APP_TOKEN)

    @cached_property
    def schedule(self) -> tuple[int, int, int]:
        return parse_schedule(self.TIPS_SCHEDULE)

    def require_serve(self) -> None:
        """Check what `serve` needs; raise SettingsError with one actionable line."""
        if not self.SLACK_BOT_TOKEN:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: copy the bot token (xoxb-…) from your Slack app's "
                "'OAuth & Permissions' page into the environment or .env"
            )
        if not self.socket_mode and not self.SLACK_SIGNING_SECRET:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests "
                "(Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode"
            )


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line naming the variable and the fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "settings"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {msg}") from None
