"""The escalation core on SQLite and PostgreSQL: durable opening, at-rest privacy, the response
clock and retention, driven by a manual clock and the fake Slack."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.delivery import DeliveryWorker, Outbox
from bot.escalation import EscalationService, ManualClock, NewCase, Vault
from bot.escalation.cases import CaseError
from bot.escalation.relay import IncomingMessage, relay_message
from bot.escalation.reminders import ResponseClock
from bot.escalation.retention import purge_closed
from bot.escalation.routing import save_routing
from bot.settings import load_settings
from bot.store import Database
from bot.store import tables as t
from bot.store.repos import ConfigRepo
from handlers.slack.messenger import SlackMessenger, delivery_client
from handlers.slack.render.outbound import RENDERERS
from tests.dbs import backends, url_for
from tests.fakes.slack_api import FakeSlack

REPORTER = "UREPORTER9"
SUPERVISOR = "USUPER9"
BACKUP = "UBACKUP9"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Harness:
    def __init__(self, backend: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
        self.backend = backend
        self.tmp_path = tmp_path

    async def __aenter__(self) -> Harness:
        self.fake = FakeSlack()
        await self.fake.start()
        self.db = Database(await url_for(self.backend, self.tmp_path))
        import bot.escalation.tables  # noqa: F401

        await self.db.create_schema()
        self.settings = load_settings(
            PEERCONSULT_SECRET_KEY=Fernet.generate_key().decode(),
            SUPERVISOR_USER_IDS=SUPERVISOR,
            ONCALL_LINE="555-0100",
            _env_file=None,
        )
        self.config = ConfigRepo(self.db)
        self.outbox = Outbox(self.db)
        self.vault = Vault(self.settings.PEERCONSULT_SECRET_KEY or "")
        self.clock = ManualClock(START)
        self.esc = EscalationService(
            self.db, self.outbox, self.config, self.settings, self.vault, self.clock
        )
        messenger = SlackMessenger(delivery_client("xoxb-test", self.fake.base_url), RENDERERS)
        self.worker = DeliveryWorker(
            self.outbox, messenger, self.vault, poll_interval=0.02, per_channel_per_second=100
        )

        async def hook(row, ref) -> None:  # type: ignore[no-untyped-def]
            await self.esc.root_sent(row.dedupe_key, ref.channel, ref.ts)

        self.worker.on_sent("case", hook)
        self.worker.on_sent("case_confirm", hook)
        return self

    async def deliver(self) -> None:
        await asyncio.wait_for(self.worker.run(asyncio.Event(), until_idle=True), 30)

    def posts(self, channel: str) -> list[dict]:  # type: ignore[type-arg]
        return list(self.fake.messages.get(channel, []))

    async def __aexit__(self, *exc: object) -> None:
        await self.fake.stop()
        await self.db.close()


async def _all_rows(db: Database) -> str:
    """Every row of every table, as text: what an attacker with the database would read."""
    out = []
    async with db.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).all():
                out.append(repr(tuple(row)))
    return "\n".join(out)


@backends
async def test_case_is_stored_with_its_deliveries_and_no_clear_identity(
    backend: str, tmp_path
) -> None:
    async with Harness(backend, tmp_path) as h:
        case_id = await h.esc.open_case(NewCase(REPORTER, "A client keeps calling me at home."))
        assert len(case_id) == 8 and case_id.isalnum()
        assert await h.outbox.pending_count() == 2  # supervisor root + reporter confirmation
        await h.deliver()
        assert len(h.posts("DSUPER9")) == 1 and len(h.posts("DREPORTER9")) == 1
        # Replies on each side are relayed to the other.
        sup_ts = h.posts("DSUPER9")[0]["ts"]
        rep_ts = h.posts("DREPORTER9")[0]["ts"]
        await relay_message(h.esc, IncomingMessage("DSUPER9", sup_ts, "1.1", "How are you?"))
        await relay_message(h.esc, IncomingMessage("DREPORTER9", rep_ts, "2.2", "Shaken."))
        await relay_message(h.esc, IncomingMessage("DREPORTER9", rep_ts, "2.2", "Shaken."))
        await h.deliver()
        assert [m["thread_ts"] for m in h.posts("DREPORTER9")[1:]] == [rep_ts]
        assert [m["thread_ts"] for m in h.posts("DSUPER9")[1:]] == [sup_ts]
        dump = await _all_rows(h.db)
        assert case_id in dump
        for secret in (REPORTER, "DREPORTER9"):
            assert secret not in dump


@backends
async def test_validation_and_routing_problems(backend: str, tmp_path) -> None:
    async with Harness(backend, tmp_path) as h:
        with pytest.raises(CaseError) as err:
            await h.esc.open_case(NewCase(REPORTER, "   "))
        assert err.value.field == "concern"
        with pytest.raises(CaseError) as err:
            await h.esc.open_case(NewCase(REPORTER, "x" * 3001))
        assert err.value.field == "concern"
        with pytest.raises(CaseError) as err:  # about the supervisor, but no backup yet
            await h.esc.open_case(NewCase(REPORTER, "it's my supervisor", about_supervisor=True))
        assert err.value.field == "about_supervisor"
        assert await h.outbox.pending_count() == 0
        await save_routing(h.config, [SUPERVISOR], BACKUP, None)
        await h.esc.open_case(NewCase(REPORTER, "it's my supervisor", about_supervisor=True))
        await h.deliver()
        assert h.posts("DBACKUP9") and not h.posts("DSUPER9")


@backends
async def test_acknowledge_and_resolve_are_announced_once(backend: str, tmp_path) -> None:
    async with Harness(backend, tmp_path) as h:
        case_id = await h.esc.open_case(NewCase(REPORTER, "concern"))
        assert await h.esc.acknowledge(case_id, SUPERVISOR) == "done"
        assert await h.esc.acknowledge(case_id, SUPERVISOR) == "already"
        assert await h.esc.resolve(case_id, SUPERVISOR) == "done"
        assert await h.esc.resolve(case_id, SUPERVISOR) == "already"
        assert await h.esc.withdraw(case_id, "USOMEONE") == "not_allowed"
        await h.deliver()
        reporter_side = json.dumps(h.posts("DREPORTER9"))
        assert "acknowledged your case" in reporter_side and "marked resolved" in reporter_side
        assert len(h.posts("DREPORTER9")) == 3  # confirmation, ack, resolve


@backends
async def test_clock_reminds_then_routes_to_backup(backend: str, tmp_path) -> None:
    async with Harness(backend, tmp_path) as h:
        await save_routing(h.config, [SUPERVISOR], BACKUP, None)
        clock = ResponseClock(h.esc)
        case_id = await h.esc.open_case(NewCase(REPORTER, "concern"))
        h.clock.advance(timedelta(hours=23))
        assert await clock.tick() == 0
        h.clock.advance(timedelta(hours=2))
        assert await clock.tick() == 1
        assert await clock.tick() == 0  # the reminder happens once
        h.clock.advance(timedelta(hours=25))
        assert await clock.tick() == 1
        await h.deliver()
        sup = json.dumps(h.posts("DSUPER9"))
        assert "without acknowledgement" in sup and "routed to the backup" in sup
        backup = h.posts("DBACKUP9")
        assert len(backup) == 1 and case_id in json.dumps(backup[0]["blocks"])
        rep = json.dumps(h.posts("DREPORTER9"))
        assert "reminded your supervisor" in rep and "backup supervisor" in rep
        case = await h.esc.repo.get(case_id)
        assert case is not None and BACKUP in case.assignees and case.due_at is None
        h.clock.advance(timedelta(days=30))
        assert await clock.tick() == 0


@backends
async def test_retention_purges_closed_cases_and_their_deliveries(backend: str, tmp_path) -> None:
    async with Harness(backend, tmp_path) as h:
        closed = await h.esc.open_case(NewCase(REPORTER, "old concern"))
        still_open = await h.esc.open_case(NewCase(REPORTER, "open concern"))
        await h.esc.resolve(closed, SUPERVISOR)
        h.clock.advance(timedelta(days=89))
        assert await purge_closed(h.esc) == 0
        h.clock.advance(timedelta(days=2))
        assert await purge_closed(h.esc) == 1
        assert await h.esc.repo.get(closed) is None
        assert await h.esc.repo.get(still_open) is not None
        assert await h.outbox.counts(f"esc:{closed}:") == {}
        assert "old concern" not in await _all_rows(h.db)
