"""Settings: every contract name, validated, with one actionable line per problem."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    s = load_settings()
    assert s.SLACK_API_URL == "https://slack.com/api/"
    assert s.DATABASE_URL == "sqlite+aiosqlite:///./peerconsult.db"
    assert s.PORT == 3000
    assert s.TIPS_SCHEDULE == "MON 09:00" and s.TIPS_TIMEZONE == "UTC"
    assert s.SUPERVISOR_USER_IDS == [] and s.TIPS_CHANNEL_IDS == []


def test_lists_and_urls_are_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUPERVISOR_USER_IDS", "U01AAA, U02BBB")
    monkeypatch.setenv("TIPS_CHANNEL_IDS", "C01TIPS")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/pc")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    s = load_settings()
    assert s.SUPERVISOR_USER_IDS == ["U01AAA", "U02BBB"]
    assert s.TIPS_CHANNEL_IDS == ["C01TIPS"]
    assert s.DATABASE_URL == "postgresql+asyncpg://u@db/pc"
    assert s.SLACK_API_URL.endswith("/api/")


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("PORT", "http", "PORT"),
        ("TIPS_SCHEDULE", "monday at nine", "MON 09:00"),
        ("TIPS_TIMEZONE", "Mars/Olympus", "IANA"),
        ("SUPERVISOR_USER_IDS", "bob", "Slack id"),
        ("SLACK_BOT_TOKEN", "xoxp-user", "xoxb-"),
        ("PEERCONSULT_SECRET_KEY", "short", "keygen"),
        ("DATABASE_URL", "mysql://x", "sqlite+aiosqlite"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch, tmp_path, name: str, value: str, hint: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(name) and hint in message and "\n" not in message


def test_http_mode_needs_signing_secret(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    s = load_settings(SLACK_BOT_TOKEN="xoxb-1")
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        s.require_serve()
    load_settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1").require_serve()  # Socket Mode


def test_serve_without_secret_prints_one_line_no_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxb-1", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "SLACK_SIGNING_SECRET" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_bad_env_value_is_one_line_for_any_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PATH": "/usr/bin:/bin", "TIPS_TIMEZONE": "Nowhere/Special", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "client offered me cash"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("peerconsult: TIPS_TIMEZONE") and "Traceback" not in proc.stderr
