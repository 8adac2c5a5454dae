"""/boundary through the real HTTP server, signed as Slack signs, against the fake Web API."""

from __future__ import annotations

import time

from tests.blockkit import assert_valid_blocks, text_of
from tests.slack_client import sign
from tests.waiting import eventually


async def test_situation_gets_guidance_blocks(bot) -> None:
    resp = await bot.slack.command("/boundary", "my client keeps flirting with me and asked me out")
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"]
    assert_valid_blocks(body["blocks"])
    ids = [b.get("block_id") for b in body["blocks"]]
    for needed in (
        "title",
        "strategies",
        "phrasing_0",
        "escalate_when",
        "standards",
        "guidance_actions",
    ):
        assert needed in ids
    dump = text_of(body["blocks"])
    assert "Escalate to my supervisor" in dump and "Share in channel" in dump
    assert "Other matches" in dump


async def test_empty_text_opens_browser(bot) -> None:
    body = (await bot.slack.command("/boundary", "   ")).json()
    assert_valid_blocks(body["blocks"])
    select = next(b for b in body["blocks"] if b["type"] == "actions")["elements"][0]
    options = [o["value"] for g in select["option_groups"] for o in g["options"]]
    assert len(options) == len(bot.svc.library.topics)


async def test_no_confident_match_says_so(bot) -> None:
    body = (await bot.slack.command("/boundary", "how do I reset my EHR password")).json()
    assert_valid_blocks(body["blocks"])
    dump = text_of(body["blocks"])
    assert "couldn't find guidance" in dump
    assert "Escalate to my supervisor" in dump and "browse" in dump
    assert not any(b.get("block_id") == "title" for b in body["blocks"])


async def test_crisis_shows_resources_first(bot) -> None:
    body = (
        await bot.slack.command(
            "/boundary", "client just texted that she swallowed a bottle of pills"
        )
    ).json()
    blocks = body["blocks"]
    assert_valid_blocks(blocks)
    first = blocks[0]["text"]["text"]
    for needed in ("911", "988", "741741", "555-0100"):
        assert needed in first
    assert blocks[1]["elements"][0]["action_id"] == "escalate_open"


async def test_long_situation_is_answered(bot) -> None:
    text = ("My client keeps texting me late at night and asked for my personal number. " * 70)[
        :5000
    ]
    resp = await bot.slack.command("/boundary", text)
    assert resp.status_code == 200
    assert_valid_blocks(resp.json()["blocks"])


async def test_mentions_and_links_never_echoed_raw(bot) -> None:
    text = "<!channel> <@U123> my client sent <https://x|y> and asked me out @here"
    resp = await bot.slack.command("/boundary", text)
    dump = resp.text
    for raw in ("<!channel>", "<@U123>", "<https://x|y>", "@here"):
        assert raw not in dump
    assert "&lt;@U123&gt;" in dump  # shown, but inert


async def test_bad_signatures_get_401_and_change_nothing(bot) -> None:
    stale = int(time.time()) - 600
    from urllib.parse import urlencode

    body = urlencode(
        {
            "command": "/boundary",
            "text": "client asked me out",
            "team_id": "T0TEST",
            "user_id": "U1",
            "response_url": bot.fake.response_url(),
        }
    )
    ctype = "application/x-www-form-urlencoded"
    assert (await bot.slack.post(body, ctype, unsigned=True)).status_code == 401
    assert (await bot.slack.post(body, ctype, signature="v0=" + "0" * 64)).status_code == 401
    assert (
        await bot.slack.post(body, ctype, timestamp=stale, signature=sign(body, stale))
    ).status_code == 401
    assert bot.fake.calls == []


async def test_other_match_share_and_feedback(bot) -> None:
    resp = await bot.slack.action("guidance_other_match_0", "gift-small")
    assert resp.status_code == 200
    await eventually(lambda: bot.fake.calls_to("response_url"))
    reply = bot.fake.calls_to("response_url")[-1].args
    assert reply["replace_original"] is True
    assert_valid_blocks(reply["blocks"])
    assert "small gift" in text_of(reply["blocks"]).lower()

    await bot.slack.action("guidance_share", "gift-small")
    await eventually(lambda: len(bot.fake.calls_to("response_url")) >= 2)
    shared = bot.fake.calls_to("response_url")[-1].args
    assert shared["response_type"] == "in_channel"
    assert_valid_blocks(shared["blocks"])

    await bot.slack.action("guidance_helpful", "gift-small")
    await bot.slack.action("guidance_not_helpful", "gift-small")
    await bot.slack.action("guidance_helpful", "gift-small")
    await eventually(lambda: len(bot.fake.calls_to("response_url")) >= 5)
    assert await bot.svc.feedback.counts("gift-small") == (2, 1)


async def test_message_shortcut_gives_guidance(bot) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "boundary_guidance_for_message",
        "trigger_id": "1.2.3",
        "response_url": bot.fake.response_url(),
        "user": {"id": "UWORKER1"},
        "channel": {"id": "C0GENERAL"},
        "message": {
            "type": "message",
            "text": "He offered me $200 cash for helping with his case",
            "ts": "1.1",
        },
    }
    assert (await bot.slack.interactive(payload)).status_code == 200
    await eventually(lambda: bot.fake.calls_to("response_url"))
    reply = bot.fake.calls_to("response_url")[-1].args
    assert reply["response_type"] == "ephemeral"
    assert_valid_blocks(reply["blocks"])


async def test_app_home_publishes_topics(bot) -> None:
    resp = await bot.slack.event({"type": "app_home_opened", "user": "UWORKER1", "tab": "home"})
    assert resp.status_code == 200
    await eventually(lambda: bot.fake.calls_to("views.publish"))
    call = bot.fake.calls_to("views.publish")[-1].args
    assert call["user_id"] == "UWORKER1"
    view = call["view"]
    assert view["type"] == "home"
    assert_valid_blocks(view["blocks"], limit=100)
    assert "Topics" in text_of(view["blocks"])
