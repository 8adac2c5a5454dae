"""/escalate end to end: the real HTTP server, requests signed like Slack's, the delivery worker
and background jobs, against the local fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

import tests.conftest as harness
from bot.escalation import ManualClock
from bot.guidance.library import ContentError, Library
from bot.guidance.search import Searcher
from bot.guidance.service import GuidanceService
from tests.blockkit import assert_valid_blocks, text_of
from tests.conftest import RunningBot, make_settings, start_bot, stop_bot
from tests.fakes.slack_api import FakeSlack
from tests.waiting import eventually

KEY = Fernet.generate_key().decode()
REPORTER, REPORTER_DM = "UREPORTER1", "DREPORTER1"
SUPERVISOR, SUPERVISOR_DM = "USUPER1", "DSUPER1"
BACKUP, BACKUP_DM = "UBACKUP1", "DBACKUP1"
ADMIN = "UADMIN1"
REPORTER_PROFILE = {
    "id": REPORTER,
    "name": "robin.reporter",
    "real_name": "Robin Quillfeather",
    "profile": {
        "display_name": "robinq",
        "real_name": "Robin Quillfeather",
        "email": "robin.quillfeather@agency.example",
    },
}
IDENTIFIERS = (
    REPORTER,
    REPORTER_DM,
    "robin.reporter",
    "Robin Quillfeather",
    "robinq",
    "robin.quillfeather@agency.example",
)
CONCERN = "A client's relative keeps messaging me on Instagram about the case."


def _guidance(settings):  # type: ignore[no-untyped-def]
    """Escalation needs no topics: keep these tests independent of a half-written library."""
    try:
        return harness._GUIDANCE.get("g") or harness.build_guidance(settings)
    except ContentError:
        empty = Library({}, {}, {})
        return GuidanceService(empty, Searcher(empty, None), settings.ONCALL_LINE)


@pytest.fixture
def start(
    fake_slack: FakeSlack, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Awaitable[RunningBot]]:
    """Start bots (each test stops its own) sharing one database and fake Slack."""
    monkeypatch.setattr(harness, "shared_guidance", _guidance)
    fake_slack.users[REPORTER] = REPORTER_PROFILE

    async def _start(jobs: bool = True, **over: object) -> RunningBot:
        values: dict[str, object] = {
            "PEERCONSULT_SECRET_KEY": KEY,
            "SUPERVISOR_USER_IDS": SUPERVISOR,
            "ADMIN_USER_IDS": ADMIN,
            "ESCALATION_CLOCK_SECONDS": 0.05,
            **over,
        }
        bot = await start_bot(fake_slack, make_settings(fake_slack, db_url, **values), jobs=jobs)
        return bot

    return _start


@pytest.fixture
async def esc_bot(start) -> AsyncIterator[RunningBot]:  # type: ignore[no-untyped-def]
    bot = await start()
    yield bot
    await stop_bot(bot)


def _values(concern: str, urgency: str, anonymity: str, about: bool) -> dict[str, dict[str, Any]]:
    return {
        "concern": {"concern_input": {"type": "plain_text_input", "value": concern}},
        "urgency": {
            "urgency_choice": {"type": "radio_buttons", "selected_option": {"value": urgency}}
        },
        "anonymity": {
            "anonymity_choice": {"type": "radio_buttons", "selected_option": {"value": anonymity}}
        },
        "about_supervisor": {
            "about_supervisor_choice": {
                "type": "checkboxes",
                "selected_options": [{"value": "yes"}] if about else [],
            }
        },
    }


async def submit(
    bot: RunningBot,
    concern: str = CONCERN,
    urgency: str = "routine",
    anonymity: str = "anonymous",
    about: bool = False,
    user: str = REPORTER,
):  # type: ignore[no-untyped-def]
    return await bot.slack.interactive(
        {
            "type": "view_submission",
            "user": {"id": user, "team_id": "T0TEST"},
            "view": {
                "id": "V0MODAL",
                "type": "modal",
                "callback_id": "escalation_submit",
                "private_metadata": "",
                "state": {"values": _values(concern, urgency, anonymity, about)},
            },
        }
    )


def message_event(channel: str, user: str, text: str, ts: str, thread_ts: str, **extra: Any):  # type: ignore[no-untyped-def]
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
        **extra,
    }


def roots(bot: RunningBot, channel: str) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages.get(channel, []) if not m.get("thread_ts")]


def replies(bot: RunningBot, channel: str, root_ts: str) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages.get(channel, []) if m.get("thread_ts") == root_ts]


async def opened_case(
    bot: RunningBot, supervisor_dm: str = SUPERVISOR_DM, **kw: Any
) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Submit the modal; wait until both roots are sent and indexed. -> (case id, sup ts, rep ts)"""
    resp = await submit(bot, **kw)
    assert resp.status_code == 200 and resp.text == ""  # the modal closes
    await eventually(lambda: roots(bot, supervisor_dm) and roots(bot, REPORTER_DM))
    case_id = roots(bot, supervisor_dm)[-1]["blocks"][0]["text"]["text"].rsplit(" ", 1)[-1]
    esc = bot.svc.extra["escalation"]
    for _ in range(250):
        threads = await esc.repo.threads(case_id)
        if threads and all(t.thread_hash for t in threads):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("thread roots were not indexed")
    return case_id, roots(bot, supervisor_dm)[-1]["ts"], roots(bot, REPORTER_DM)[-1]["ts"]


def supervisor_side_payloads(fake: FakeSlack) -> str:
    """Every outbound call except those addressed to the reporter (their DM, their modal)."""
    out = []
    for call in fake.calls:
        args = call.args
        if call.method in ("views.open", "response_url"):
            continue  # the reporter's own modal and ephemeral replies
        if str(args.get("channel")) in (REPORTER, REPORTER_DM) or args.get("user_id") == REPORTER:
            continue
        out.append(json.dumps(args, ensure_ascii=False))
    return "\n".join(out)


def db_bytes(db_url: str) -> bytes:
    path = Path(db_url.split(":///", 1)[1])
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# ---- tests ---------------------------------------------------------------------------------
async def test_command_opens_prefilled_modal(esc_bot: RunningBot) -> None:
    resp = await esc_bot.slack.command(
        "/escalate", "my client proposed we meet for drinks", user=REPORTER
    )
    assert resp.status_code == 200
    await eventually(lambda: esc_bot.fake.calls_to("views.open"))
    view = esc_bot.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "escalation_submit"
    assert_valid_blocks(view["blocks"], limit=100)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["concern"]["element"]["initial_value"] == "my client proposed we meet for drinks"
    assert by_id["concern"]["element"]["max_length"] == 3000
    assert by_id["urgency"]["element"]["initial_option"]["value"] == "routine"
    assert by_id["anonymity"]["element"]["initial_option"]["value"] == "anonymous"
    assert {o["value"] for o in by_id["urgency"]["element"]["options"]} == {
        "routine",
        "soon",
        "urgent",
    }


async def test_guidance_button_prefills_topic_and_urgency(esc_bot: RunningBot) -> None:
    await esc_bot.slack.action("escalate_open", "urgent", user=REPORTER)
    await eventually(lambda: esc_bot.fake.calls_to("views.open"))
    view = esc_bot.fake.calls_to("views.open")[-1].args["view"]
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["urgency"]["element"]["initial_option"]["value"] == "urgent"
    topic = next(iter(esc_bot.svc.library.topics.values()), None)
    if topic is not None:
        await esc_bot.slack.action("escalate_open", topic.id, user=REPORTER)
        await eventually(lambda: len(esc_bot.fake.calls_to("views.open")) == 2)
        view = esc_bot.fake.calls_to("views.open")[-1].args["view"]
        concern = next(b for b in view["blocks"] if b.get("block_id") == "concern")
        assert concern["element"]["initial_value"].startswith(f"About: {topic.title}")


async def test_validation_errors_stay_in_the_modal(esc_bot: RunningBot) -> None:
    body = (await submit(esc_bot, concern="   ")).json()
    assert body["response_action"] == "errors" and "concern" in body["errors"]
    body = (await submit(esc_bot, about=True)).json()  # no backup supervisor yet
    assert body["response_action"] == "errors" and "about_supervisor" in body["errors"]
    assert await esc_bot.svc.outbox.pending_count() == 0


async def test_anonymous_round_trip_leaks_nothing(
    esc_bot: RunningBot, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = esc_bot
    case_id, sup_ts, rep_ts = await opened_case(bot)

    case_blocks = roots(bot, SUPERVISOR_DM)[0]["blocks"]
    assert_valid_blocks(case_blocks)
    dump = text_of(case_blocks)
    assert "Anonymous" in dump and case_id in dump and "Instagram" in dump
    assert [b["action_id"] for b in case_blocks[-1]["elements"]] == [
        "case_acknowledge",
        "case_resolve",
    ]
    confirm = text_of(roots(bot, REPORTER_DM)[0]["blocks"])
    assert case_id in confirm and "What happens next" in confirm and "case_withdraw" in confirm

    # Supervisor replies in the case thread: it reaches the reporter's thread.
    await bot.slack.event(
        message_event(
            SUPERVISOR_DM,
            SUPERVISOR,
            "Thanks for flagging. Has it continued?",
            "1700000001.000100",
            sup_ts,
        ),
        event_id="EvSup1",
    )
    await eventually(lambda: replies(bot, REPORTER_DM, rep_ts))
    relayed = replies(bot, REPORTER_DM, rep_ts)[0]
    assert "Has it continued?" in text_of(relayed["blocks"]) and "Your supervisor" in text_of(
        relayed["blocks"]
    )
    assert "Has it continued" not in relayed["text"]  # notifications don't show the content

    # The reporter replies in theirs: it reaches the case thread, mentions made inert.
    await bot.slack.event(
        message_event(
            REPORTER_DM, REPORTER, "Yes, daily. <!channel> <@U999>", "1700000002.000200", rep_ts
        ),
        event_id="EvRep1",
    )
    await eventually(lambda: replies(bot, SUPERVISOR_DM, sup_ts))
    back = text_of(replies(bot, SUPERVISOR_DM, sup_ts)[0]["blocks"])
    assert "Yes, daily." in back and "<!channel>" not in back and "&lt;@U999&gt;" in back

    # A file is not relayed; the sender is told why.
    await bot.slack.event(
        message_event(
            REPORTER_DM,
            REPORTER,
            "",
            "1700000003.000300",
            rep_ts,
            subtype="file_share",
            files=[{"id": "F1", "name": "robin.png"}],
        ),
        event_id="EvRep2",
    )
    await eventually(lambda: len(replies(bot, REPORTER_DM, rep_ts)) == 2)
    assert "Files aren't passed on" in text_of(replies(bot, REPORTER_DM, rep_ts)[1]["blocks"])
    assert len(replies(bot, SUPERVISOR_DM, sup_ts)) == 1

    # The bot's own messages in the thread are never relayed back.
    await bot.slack.event(
        message_event(
            SUPERVISOR_DM,
            "UBOT",
            "relay echo",
            "1700000004.000400",
            sup_ts,
            bot_id="BBOT",
            subtype="bot_message",
        ),
        event_id="EvBot1",
    )

    # App Home for the supervisor lists the case without the reporter.
    await bot.slack.event(
        {"type": "app_home_opened", "user": SUPERVISOR, "tab": "home"}, event_id="EvHome1"
    )
    await eventually(lambda: bot.fake.calls_to("views.publish"))
    home = bot.fake.calls_to("views.publish")[-1].args["view"]
    assert_valid_blocks(home["blocks"], limit=100)
    assert case_id in text_of(home["blocks"]) and "Anonymous" in text_of(home["blocks"])

    await asyncio.sleep(0.3)
    assert len(replies(bot, REPORTER_DM, rep_ts)) == 2  # nothing echoed
    sent = supervisor_side_payloads(bot.fake)
    log_text = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    stored = db_bytes(db_url)
    for ident in IDENTIFIERS:
        assert ident not in sent, ident
        assert ident not in log_text, ident
        assert ident.encode() not in stored, ident
    for said in ("Instagram", "Has it continued", "Yes, daily", SUPERVISOR):
        assert said not in log_text


async def test_named_case_names_the_reporter(esc_bot: RunningBot) -> None:
    case_id, _, _ = await opened_case(esc_bot, anonymity="named")
    dump = text_of(roots(esc_bot, SUPERVISOR_DM)[0]["blocks"])
    assert f"<@{REPORTER}>" in dump and "Anonymous" not in dump
    assert "case_reveal" not in text_of(roots(esc_bot, REPORTER_DM)[0]["blocks"])


async def test_reveal_then_withdraw(esc_bot: RunningBot) -> None:
    bot = esc_bot
    case_id, sup_ts, rep_ts = await opened_case(bot)
    await bot.slack.action("case_reveal", case_id, user=SUPERVISOR)  # not the reporter
    await bot.slack.action("case_reveal", case_id, user=REPORTER)
    await eventually(lambda: replies(bot, SUPERVISOR_DM, sup_ts))
    assert f"<@{REPORTER}>" in text_of(replies(bot, SUPERVISOR_DM, sup_ts)[0]["blocks"])
    await bot.slack.action("case_withdraw", case_id, user=REPORTER)
    await eventually(lambda: len(replies(bot, SUPERVISOR_DM, sup_ts)) == 2)
    assert "withdrew" in text_of(replies(bot, SUPERVISOR_DM, sup_ts)[1]["blocks"])
    texts = [c.args.get("text", "") for c in bot.fake.calls_to("response_url")]
    assert any("Only the person who opened" in t for t in texts)
    # After withdrawal, a supervisor's reply is not passed on.
    await bot.slack.event(
        message_event(SUPERVISOR_DM, SUPERVISOR, "hello?", "1700000009.1", sup_ts),
        event_id="EvLate",
    )
    await eventually(lambda: len(replies(bot, SUPERVISOR_DM, sup_ts)) == 3)
    assert "closed" in text_of(replies(bot, SUPERVISOR_DM, sup_ts)[2]["blocks"])
    assert not [m for m in replies(bot, REPORTER_DM, rep_ts) if "hello?" in text_of(m["blocks"])]


async def test_duplicate_events_relay_once(esc_bot: RunningBot) -> None:
    bot = esc_bot
    _, sup_ts, rep_ts = await opened_case(bot)
    event = message_event(
        SUPERVISOR_DM, SUPERVISOR, "Only once please", "1700000005.000500", sup_ts
    )
    await bot.slack.event(event, event_id="EvDup")
    await bot.slack.event(event, event_id="EvDup")
    await bot.slack.event(
        event,
        event_id="EvDup",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    await bot.slack.event(event, event_id="EvDupOther")  # same message under another id
    await eventually(lambda: replies(bot, REPORTER_DM, rep_ts))
    await asyncio.sleep(0.5)
    assert len(replies(bot, REPORTER_DM, rep_ts)) == 1


async def test_acknowledge_and_resolve_reach_the_reporter(esc_bot: RunningBot) -> None:
    bot = esc_bot
    case_id, sup_ts, rep_ts = await opened_case(bot)
    await bot.slack.action("case_acknowledge", case_id, user=SUPERVISOR)
    await bot.slack.action("case_acknowledge", case_id, user=SUPERVISOR)
    await bot.slack.action("case_resolve", case_id, user=SUPERVISOR)
    await eventually(lambda: len(replies(bot, REPORTER_DM, rep_ts)) == 2)
    reporter_view = [text_of(m["blocks"]) for m in replies(bot, REPORTER_DM, rep_ts)]
    assert "acknowledged your case" in reporter_view[0] and "marked resolved" in reporter_view[1]
    await asyncio.sleep(0.3)
    assert len(replies(bot, REPORTER_DM, rep_ts)) == 2  # the second click changed nothing


async def test_case_survives_a_crash_after_the_modal_closed(start) -> None:  # type: ignore[no-untyped-def]
    first = await start(jobs=False)  # the process dies before its worker sends anything
    assert (await submit(first)).status_code == 200
    assert await first.svc.outbox.pending_count() == 2
    assert not first.fake.calls_to("chat.postMessage")
    await stop_bot(first)
    second = await start()
    await eventually(lambda: roots(second, SUPERVISOR_DM) and roots(second, REPORTER_DM))
    await asyncio.sleep(0.5)
    assert len(roots(second, SUPERVISOR_DM)) == 1 and len(roots(second, REPORTER_DM)) == 1
    await stop_bot(second)


async def test_admin_sets_backup_then_clock_reminds_and_routes(start) -> None:  # type: ignore[no-untyped-def]
    bot = await start()
    try:
        clock = ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
        bot.svc.extra["escalation"].clock = clock
        # An admin opens settings from App Home and names a backup supervisor.
        await bot.slack.event(
            {"type": "app_home_opened", "user": ADMIN, "tab": "home"}, event_id="EvA"
        )
        await eventually(lambda: bot.fake.calls_to("views.publish"))
        assert "admin_settings_open" in text_of(
            bot.fake.calls_to("views.publish")[-1].args["view"]["blocks"]
        )
        await bot.slack.action("admin_settings_open", "", user=ADMIN)
        await eventually(lambda: bot.fake.calls_to("views.open"))
        modal = bot.fake.calls_to("views.open")[-1].args["view"]
        assert modal["callback_id"] == "admin_settings_submit"
        assert_valid_blocks(modal["blocks"], limit=100)
        values = {
            "admin_supervisors": {"admin_supervisors_select": {"selected_users": [SUPERVISOR]}},
            "admin_backup": {"admin_backup_select": {"selected_user": BACKUP}},
            "admin_channel": {"admin_channel_select": {"selected_conversation": None}},
        }
        payload = {
            "type": "view_submission",
            "user": {"id": ADMIN},
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": "admin_settings_submit",
                "state": {"values": values},
            },
        }
        assert (await bot.slack.interactive(payload)).status_code == 200
        payload["user"] = {"id": "UNOBODY"}
        assert (await bot.slack.interactive(payload)).json()["response_action"] == "errors"

        case_id, sup_ts, rep_ts = await opened_case(bot)
        clock.advance(timedelta(hours=23))
        await asyncio.sleep(0.3)
        assert not replies(bot, SUPERVISOR_DM, sup_ts)
        clock.advance(timedelta(hours=2))
        await eventually(
            lambda: replies(bot, SUPERVISOR_DM, sup_ts) and replies(bot, REPORTER_DM, rep_ts)
        )
        assert "without acknowledgement" in text_of(
            replies(bot, SUPERVISOR_DM, sup_ts)[0]["blocks"]
        )
        assert "reminded" in text_of(replies(bot, REPORTER_DM, rep_ts)[0]["blocks"])
        clock.advance(timedelta(hours=25))
        await eventually(
            lambda: roots(bot, BACKUP_DM) and len(replies(bot, REPORTER_DM, rep_ts)) == 2
        )
        backup_case = text_of(roots(bot, BACKUP_DM)[0]["blocks"])
        assert case_id in backup_case and "Anonymous" in backup_case
        assert "backup supervisor" in text_of(replies(bot, REPORTER_DM, rep_ts)[1]["blocks"])
        for ident in IDENTIFIERS:
            assert ident not in supervisor_side_payloads(bot.fake)
        # The backup's replies reach the reporter too.
        esc = bot.svc.extra["escalation"]
        for _ in range(250):
            if all(t.thread_hash for t in await esc.repo.threads(case_id)):
                break
            await asyncio.sleep(0.02)
        backup_ts = roots(bot, BACKUP_DM)[0]["ts"]
        await bot.slack.event(
            message_event(BACKUP_DM, BACKUP, "I'm here now.", "1700000010.1", backup_ts),
            event_id="EvB",
        )
        await eventually(
            lambda: any(
                "here now" in text_of(m["blocks"]) for m in replies(bot, REPORTER_DM, rep_ts)
            )
        )
    finally:
        await stop_bot(bot)


async def test_urgent_case_shows_crisis_resources_and_reminds_within_the_hour(start) -> None:  # type: ignore[no-untyped-def]
    bot = await start()
    try:
        clock = ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
        bot.svc.extra["escalation"].clock = clock
        _, sup_ts, rep_ts = await opened_case(bot, urgency="urgent")
        confirm = text_of(roots(bot, REPORTER_DM)[0]["blocks"])
        for needed in ("911", "988", "741741", "555-0100"):
            assert needed in confirm
        assert "Urgent" in text_of(roots(bot, SUPERVISOR_DM)[0]["blocks"])
        clock.advance(timedelta(minutes=61))
        await eventually(
            lambda: replies(bot, SUPERVISOR_DM, sup_ts) and replies(bot, REPORTER_DM, rep_ts)
        )
        reminder = text_of(replies(bot, REPORTER_DM, rep_ts)[0]["blocks"])
        assert "988" in reminder and "741741" in reminder
    finally:
        await stop_bot(bot)


async def test_without_a_key_escalate_says_so_kindly(
    start, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    bot = await start(PEERCONSULT_SECRET_KEY=None)
    try:
        body = (await bot.slack.command("/escalate", "help", user=REPORTER)).json()
        assert "isn't set up" in body["text"] and "peerconsult keygen" in body["text"]
        await eventually(
            lambda: any("PEERCONSULT_SECRET_KEY" in r.getMessage() for r in caplog.records)
        )
        assert sum("PEERCONSULT_SECRET_KEY" in r.getMessage() for r in caplog.records) == 1
        assert not bot.fake.calls_to("views.open")
    finally:
        await stop_bot(bot)


async def test_channel_mode_mentions_supervisors_and_relays_group_replies(start) -> None:  # type: ignore[no-untyped-def]
    bot = await start(ESCALATION_CHANNEL_ID="G0ESCALATE")
    try:
        case_id, sup_ts, rep_ts = await opened_case(bot, supervisor_dm="G0ESCALATE")
        root = text_of(roots(bot, "G0ESCALATE")[0]["blocks"])
        assert f"<@{SUPERVISOR}>" in root and "Anonymous" in root
        event = message_event("G0ESCALATE", SUPERVISOR, "Let's talk.", "1700000020.1", sup_ts)
        event["channel_type"] = "group"
        await bot.slack.event(event, event_id="EvGroup")
        await eventually(lambda: replies(bot, REPORTER_DM, rep_ts))
        assert "Let's talk." in text_of(replies(bot, REPORTER_DM, rep_ts)[0]["blocks"])
        for ident in IDENTIFIERS:
            assert ident not in supervisor_side_payloads(bot.fake)
    finally:
        await stop_bot(bot)
