"""/tips, the tip message's buttons, App Home and the admin settings, through the real HTTP server
signed as Slack signs, against the fake Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.guidance.schema import Tip
from bot.tips.service import tips_of
from tests.blockkit import assert_valid_blocks, text_of
from tests.conftest import RunningBot, make_settings, start_bot, stop_bot
from tests.waiting import eventually

ADMIN = "UADMIN1"


def synthetic_tips(library: Any, n: int = 4) -> list[Tip]:
    topics = list(library.topics)[:n]
    return [
        Tip(
            id=f"test-tip-{i}",
            topic=topic,
            title=f"Test tip {i} <b>&",
            body="Say the limit once, kindly, and return to the work. <!channel> stays inert here.",
            phrasing="I can't do that, and here's what I can do instead.",
        )
        for i, topic in enumerate(topics)
    ]


@pytest.fixture
async def tbot(fake_slack, db_url, monkeypatch) -> AsyncIterator[RunningBot]:
    running = await start_bot(
        fake_slack, make_settings(fake_slack, db_url, TIPS_CHANNEL_IDS="C0TIPS")
    )
    monkeypatch.setattr(running.svc.library, "tips", synthetic_tips(running.svc.library))
    fake_slack.users[ADMIN] = {"id": ADMIN, "is_admin": True}
    yield running
    await stop_bot(running)


def tip_posts(bot: RunningBot) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for call in bot.fake.calls_to("chat.postMessage"):
        blocks = call.args.get("blocks") or []
        if any(b.get("block_id") == "tip" for b in blocks):
            out.setdefault(call.args["channel"], []).append(call.args)
    return out


async def test_subscribe_unsubscribe_and_help(tbot: RunningBot) -> None:
    tips = tips_of(tbot.svc)
    body = (await tbot.slack.command("/tips", "subscribe", user="UW1")).json()
    assert body["response_type"] == "ephemeral" and "subscribed" in body["text"]
    assert_valid_blocks(body["blocks"])
    assert await tips.is_subscribed("UW1")
    assert (
        "already" in (await tbot.slack.command("/tips", "  SUBSCRIBE ", user="UW1")).json()["text"]
    )
    body = (await tbot.slack.command("/tips", "unsubscribe", user="UW1")).json()
    assert "unsubscribed" in body["text"]
    assert not await tips.is_subscribed("UW1")
    for text in ("", "please", "subscribe me now"):
        body = (await tbot.slack.command("/tips", text, user="UW1")).json()
        assert "/tips subscribe" in text_of(body["blocks"]) and "/tips now" in text_of(
            body["blocks"]
        )
    assert not await tips.is_subscribed("UW1")


async def test_unsigned_tips_command_changes_nothing(tbot: RunningBot) -> None:
    resp = await tbot.slack.command("/tips", "subscribe", user="UW9", signature="v0=bad")
    assert resp.status_code == 401
    assert not await tips_of(tbot.svc).is_subscribed("UW9")


async def test_tips_now_shows_this_weeks_tip_escaped(tbot: RunningBot) -> None:
    tips = tips_of(tbot.svc)
    body = (await tbot.slack.command("/tips", "now", user="UW2")).json()
    assert body["response_type"] == "ephemeral"
    assert_valid_blocks(body["blocks"])
    expected = await tips.tip_of_week()
    assert expected is not None and expected.title[:10] in body["text"]
    dump = text_of(body["blocks"])
    assert "<!channel>" not in dump and "<b>" not in dump and "&lt;b&gt;" in dump
    assert "tip_more" in dump and "tip_unsubscribe" not in dump
    assert "/tips subscribe" in dump  # not subscribed: offered


async def test_broadcast_dm_carries_buttons_that_work(tbot: RunningBot) -> None:
    tips = tips_of(tbot.svc)
    for user in ("UW1", "UW2"):
        await tbot.slack.command("/tips", "subscribe", user=user)
    result = await tips.broadcast()
    assert result.created and result.recipients == 3
    await eventually(lambda: len(tip_posts(tbot)) == 3)
    posts = tip_posts(tbot)
    assert set(posts) == {"UW1", "UW2", "C0TIPS"}  # DMs go straight to the user id
    assert not tbot.fake.calls_to("conversations.open")
    dm = posts["UW1"][0]
    assert_valid_blocks(dm["blocks"])
    assert "tip_unsubscribe" in text_of(dm["blocks"])
    assert "tip_unsubscribe" not in text_of(posts["C0TIPS"][0]["blocks"])
    assert dm["text"] and dm["metadata"]["event_payload"]["tag"]

    # "Read the full guidance" opens the topic's guidance.
    await tbot.slack.action("tip_more", result.tip.topic, user="UW1")  # type: ignore[union-attr]
    await eventually(lambda: tbot.fake.calls_to("views.open"))
    modal = tbot.fake.calls_to("views.open")[-1].args["view"]
    topic = tbot.svc.library.get(result.tip.topic)  # type: ignore[union-attr]
    assert topic is not None and topic.title[:20] in text_of(modal["blocks"])

    # Unsubscribe from the DM.
    await tbot.slack.action("tip_unsubscribe", "unsubscribe", user="UW1")
    await eventually(lambda: tbot.fake.calls_to("response_url"))
    assert "unsubscribed" in tbot.fake.calls_to("response_url")[-1].args["text"]
    assert not await tips.is_subscribed("UW1")
    report = await tips.report()
    assert report is not None and (report.delivered, report.pending, report.failed) == (3, 0, 0)


async def test_app_home_toggle_and_admin_report(tbot: RunningBot) -> None:
    await tbot.slack.event({"type": "app_home_opened", "user": "UW3", "tab": "home"})
    await eventually(lambda: tbot.fake.calls_to("views.publish"))
    home = tbot.fake.calls_to("views.publish")[-1].args["view"]
    assert_valid_blocks(home["blocks"], limit=100)
    toggle = next(b for b in home["blocks"] if b.get("block_id") == "tips_subscription")
    assert toggle["accessory"]["value"] == "on"
    assert "tips_admin" not in text_of(home["blocks"])  # not an admin

    await tbot.slack.action("tips_toggle", "on", user="UW3")
    await eventually(lambda: len(tbot.fake.calls_to("views.publish")) == 2)
    assert await tips_of(tbot.svc).is_subscribed("UW3")
    await tbot.slack.action("tips_toggle", "on", user="UW3")  # a stale second click: still on
    await eventually(lambda: len(tbot.fake.calls_to("views.publish")) == 3)
    assert await tips_of(tbot.svc).is_subscribed("UW3")

    await tips_of(tbot.svc).broadcast()
    await eventually(lambda: len(tip_posts(tbot)) == 2)
    await tbot.slack.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"}, "Ev2")
    await eventually(lambda: len(tbot.fake.calls_to("views.publish")) == 4)
    admin_home = tbot.fake.calls_to("views.publish")[-1].args["view"]
    assert_valid_blocks(admin_home["blocks"], limit=100)
    report = text_of([b for b in admin_home["blocks"] if b.get("block_id") == "tips_admin"])
    assert "2 delivered, 0 pending, 0 failed" in report and "<#C0TIPS>" in report

    await tbot.slack.action("tips_toggle", "off", user="UW3")
    await eventually(lambda: len(tbot.fake.calls_to("views.publish")) == 5)
    assert not await tips_of(tbot.svc).is_subscribed("UW3")


def settings_payload(user: str, tz: str) -> dict[str, Any]:
    values = {
        "tips_channels": {"tips_channels_select": {"selected_conversations": ["C0NEW1", "C0NEW2"]}},
        "tips_day": {"tips_day_select": {"selected_option": {"value": "THU"}}},
        "tips_time": {"tips_time_pick": {"selected_time": "16:45"}},
        "tips_timezone": {"tips_timezone_input": {"value": tz}},
    }
    return {
        "type": "view_submission",
        "user": {"id": user},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "admin_settings_submit",
            "state": {"values": values},
        },
    }


async def test_admin_changes_channels_schedule_and_timezone(tbot: RunningBot) -> None:
    await tbot.slack.action("admin_settings_open", "", user=ADMIN)
    await eventually(lambda: tbot.fake.calls_to("views.open"))
    modal = tbot.fake.calls_to("views.open")[-1].args["view"]
    assert_valid_blocks(modal["blocks"], limit=100)
    block_ids = {b.get("block_id") for b in modal["blocks"]}
    assert {"tips_channels", "tips_day", "tips_time", "tips_timezone"} <= block_ids

    bad = (await tbot.slack.interactive(settings_payload(ADMIN, "Mars/Olympus"))).json()
    assert bad["response_action"] == "errors" and "tips_timezone" in bad["errors"]
    assert (await tips_of(tbot.svc).current_config()).timezone == "UTC"  # nothing saved

    denied = (await tbot.slack.interactive(settings_payload("UNOBODY", "Europe/Paris"))).json()
    assert denied["response_action"] == "errors"

    resp = await tbot.slack.interactive(settings_payload(ADMIN, "Europe/Paris"))
    assert resp.status_code == 200 and not resp.content.strip()
    cfg = await tips_of(tbot.svc).current_config()
    assert (cfg.channels, cfg.schedule, cfg.timezone) == (
        ("C0NEW1", "C0NEW2"),
        "THU 16:45",
        "Europe/Paris",
    )
