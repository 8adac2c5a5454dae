"""Cases: open one durably (case row + its deliveries in one transaction), and the changes a
supervisor or the reporter makes to it. Every message goes through the outbox."""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.delivery import Outbox
from bot.delivery.worker import THREAD_REF_PREFIX
from bot.escalation.clock import Clock, SystemClock
from bot.escalation.repo import OPEN_STATUSES, CaseRepo, CaseRow, ThreadRow
from bot.escalation.routing import Routing, RoutingProblem, current_routing, plan
from bot.escalation.vault import Vault
from bot.ports import OutMessage
from bot.settings import Settings
from bot.store import Database
from bot.store.repos import ConfigRepo

log = logging.getLogger("peerconsult.escalation")

URGENCIES = ("routine", "soon", "urgent")
CONCERN_LIMIT = 3000
Outcome = Literal["done", "already", "not_found", "not_allowed"]

# Outbox kinds (renderers live with each platform).
KIND_CASE = "case"  # supervisor-side root
KIND_CONFIRM = "case_confirm"  # reporter-side root
KIND_RELAY = "case_relay"
KIND_EVENT = "case_event"


class CaseError(Exception):
    """The submission can't become a case; `field` names the input to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewCase:
    reporter: str
    concern: str
    urgency: str = "routine"
    anonymous: bool = True
    about_supervisor: bool = False


def new_case_id() -> str:
    """8 random base32 characters: short enough to quote, not guessable or sequential."""
    return base64.b32encode(secrets.token_bytes(5)).decode()


def reporter_root(case_id: str) -> str:
    return f"esc:{case_id}:rep"


def supervisor_root(case_id: str, n: int | str) -> str:
    return f"esc:{case_id}:sup:{n}"


class EscalationService:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        config: ConfigRepo,
        settings: Settings,
        vault: Vault,
        clock: Clock | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.config = config
        self.settings = settings
        self.vault = vault
        self.clock: Clock = clock or SystemClock()
        self.wake = wake or (lambda: None)
        self.repo = CaseRepo(db)

    # ---- configuration -------------------------------------------------------------------
    async def routing(self) -> Routing:
        return await current_routing(self.settings, self.config)

    def window(self, urgency: str) -> timedelta:
        hours = (
            self.settings.ESCALATION_URGENT_REMIND_HOURS
            if urgency == "urgent"
            else self.settings.ESCALATION_REMIND_HOURS
        )
        return timedelta(hours=hours)

    # ---- opening -------------------------------------------------------------------------
    async def check_ready(self) -> None:
        """Raise CaseError when no case could be routed (shown before the modal opens)."""
        routing = await self.routing()
        if not routing.supervisors and not routing.backup:
            plan(routing, "", False)  # raises the worker-facing RoutingProblem

    async def open_case(self, new: NewCase) -> str:
        """Store the case and every first delivery in one transaction; return the case id."""
        concern = new.concern.strip()
        if not concern:
            raise CaseError("concern", "Please describe your concern.")
        if len(concern) > CONCERN_LIMIT:
            raise CaseError("concern", f"Please keep it under {CONCERN_LIMIT:,} characters.")
        if new.urgency not in URGENCIES:
            raise CaseError("urgency", "Choose how soon you need a response.")
        try:
            route = plan(await self.routing(), new.reporter, new.about_supervisor)
        except RoutingProblem as exc:
            field = "about_supervisor" if new.about_supervisor else "concern"
            raise CaseError(field, str(exc)) from None
        now = self.clock.now()
        sealed = self.vault.seal(new.reporter)
        async with self.db.engine.begin() as conn:
            for _ in range(5):
                case_id = new_case_id()
                values = {
                    "id": case_id,
                    "status": "open",
                    "urgency": new.urgency,
                    "anonymous": int(new.anonymous),
                    "about_supervisor": int(new.about_supervisor),
                    "concern": concern,
                    "reporter": sealed,
                    "assignees": list(route.assignees),
                    "stage": 0,
                    "due_at": now + self.window(new.urgency),
                    "created_at": now,
                }
                if await self.repo.insert_case(conn, values):
                    break
            else:  # pragma: no cover - 5 collisions in 2**40 ids
                raise RuntimeError("could not draw a free case id")
            case_data = {
                "case_id": case_id,
                "concern": concern,
                "urgency": new.urgency,
                "reporter": None if new.anonymous else new.reporter,
                "assignees": list(route.assignees),
                "route": route.route,
                "channel": bool(route.targets != route.assignees),
            }
            for n, target in enumerate(route.targets):
                key = supervisor_root(case_id, n)
                await self.repo.add_thread(conn, key, case_id, "supervisor", target)
                await self.outbox.enqueue(
                    conn,
                    key=key,
                    kind=KIND_CASE,
                    target=target.encode(),
                    message=OutMessage(
                        KIND_CASE, f"New {new.urgency} escalation: case {case_id}", case_data
                    ),
                )
            await self.repo.add_thread(conn, reporter_root(case_id), case_id, "reporter", None)
            await self.outbox.enqueue(
                conn,
                key=reporter_root(case_id),
                kind=KIND_CONFIRM,
                target=sealed,
                sealed=True,
                message=OutMessage(
                    KIND_CONFIRM,
                    f"We received your concern: case {case_id}.",
                    {
                        "case_id": case_id,
                        "urgency": new.urgency,
                        "anonymous": new.anonymous,
                        "route": route.route,
                        "oncall": self.settings.ONCALL_LINE,
                        "remind_hours": self.window(new.urgency).total_seconds() / 3600,
                    },
                ),
            )
        log.info("escalation case opened (%s, %s)", new.urgency, route.route)
        self.wake()
        return case_id

    # ---- enqueue helpers (inside a transaction) ------------------------------------------
    async def to_reporter(
        self, conn: AsyncConnection, case: CaseRow, key: str, kind: str, text: str, data: dict
    ) -> None:
        if case.reporter is None:
            return  # purged
        await self.outbox.enqueue(
            conn,
            key=f"esc:{case.id}:{key}:rep",
            kind=kind,
            target=case.reporter,  # already sealed: no need to open it here
            sealed=True,
            thread_ref=THREAD_REF_PREFIX + reporter_root(case.id),
            message=OutMessage(kind, text, {"case_id": case.id, "audience": "reporter", **data}),
        )

    async def to_supervisors(
        self,
        conn: AsyncConnection,
        case: CaseRow,
        key: str,
        kind: str,
        text: str,
        data: dict,
        only: list[ThreadRow] | None = None,
    ) -> None:
        threads = (
            only if only is not None else await self.repo.threads_in(conn, case.id, "supervisor")
        )
        for thread in threads:
            await self.outbox.enqueue(
                conn,
                key=f"esc:{case.id}:{key}:{thread.key.rsplit(':', 1)[-1]}",
                kind=kind,
                target=(thread.target or "").encode(),
                thread_ref=THREAD_REF_PREFIX + thread.key,
                message=OutMessage(
                    kind, text, {"case_id": case.id, "audience": "supervisor", **data}
                ),
            )

    def event(self, name: str, **extra: Any) -> dict[str, Any]:
        return {"event": name, **extra}

    # ---- supervisor actions --------------------------------------------------------------
    async def acknowledge(self, case_id: str, by: str) -> Outcome:
        now = self.clock.now()
        async with self.db.engine.begin() as conn:
            case = await self.repo.case_in(conn, case_id)
            if case is None:
                return "not_found"
            changed = await self.repo.change(
                conn,
                case_id,
                {
                    "status": "acknowledged",
                    "acknowledged_at": now,
                    "acknowledged_by": by,
                    "due_at": None,
                },
                statuses=("open",),
            )
            if not changed:
                return "already"
            await self.to_reporter(
                conn,
                case,
                "ack",
                KIND_EVENT,
                f"A supervisor acknowledged case {case_id}.",
                self.event("acknowledged"),
            )
            await self.to_supervisors(
                conn,
                case,
                "ack",
                KIND_EVENT,
                f"Case {case_id} acknowledged.",
                self.event("acknowledged", user=by),
            )
        self.wake()
        return "done"

    async def resolve(self, case_id: str, by: str) -> Outcome:
        now = self.clock.now()
        async with self.db.engine.begin() as conn:
            case = await self.repo.case_in(conn, case_id)
            if case is None:
                return "not_found"
            changed = await self.repo.change(
                conn,
                case_id,
                {"status": "resolved", "closed_at": now, "due_at": None},
                statuses=OPEN_STATUSES,
            )
            if not changed:
                return "already"
            await self.to_reporter(
                conn,
                case,
                "resolve",
                KIND_EVENT,
                f"Case {case_id} was marked resolved.",
                self.event("resolved"),
            )
            await self.to_supervisors(
                conn,
                case,
                "resolve",
                KIND_EVENT,
                f"Case {case_id} resolved.",
                self.event("resolved", user=by),
            )
        self.wake()
        return "done"

    # ---- reporter actions ----------------------------------------------------------------
    def is_reporter(self, case: CaseRow, user: str) -> bool:
        return case.reporter is not None and self.vault.open(case.reporter) == user

    async def reveal(self, case_id: str, user: str) -> Outcome:
        """One-way: the supervisor side learns who reported; recorded with a time."""
        async with self.db.engine.begin() as conn:
            case = await self.repo.case_in(conn, case_id)
            if case is None:
                return "not_found"
            if not self.is_reporter(case, user):
                return "not_allowed"
            changed = await self.repo.change(
                conn,
                case_id,
                {"anonymous": 0, "revealed_at": self.clock.now()},
                statuses=OPEN_STATUSES,
                anonymous=True,
            )
            if not changed:
                return "already"
            await self.to_supervisors(
                conn,
                case,
                "reveal",
                KIND_EVENT,
                f"The reporter of case {case_id} chose to share their name.",
                self.event("revealed", user=user),
            )
            await self.to_reporter(
                conn,
                case,
                "reveal",
                KIND_EVENT,
                f"Your name is now shared with the supervisor on case {case_id}.",
                self.event("revealed"),
            )
        self.wake()
        return "done"

    async def withdraw(self, case_id: str, user: str) -> Outcome:
        async with self.db.engine.begin() as conn:
            case = await self.repo.case_in(conn, case_id)
            if case is None:
                return "not_found"
            if not self.is_reporter(case, user):
                return "not_allowed"
            changed = await self.repo.change(
                conn,
                case_id,
                {"status": "withdrawn", "closed_at": self.clock.now(), "due_at": None},
                statuses=OPEN_STATUSES,
            )
            if not changed:
                return "already"
            await self.to_supervisors(
                conn,
                case,
                "withdraw",
                KIND_EVENT,
                f"Case {case_id} was withdrawn by the reporter.",
                self.event("withdrawn"),
            )
            await self.to_reporter(
                conn,
                case,
                "withdraw",
                KIND_EVENT,
                f"You withdrew case {case_id}.",
                self.event("withdrawn"),
            )
        self.wake()
        return "done"

    # ---- what a supervisor sees ----------------------------------------------------------
    async def cases_for(self, supervisor: str) -> list[CaseRow]:
        return [c for c in await self.repo.open_cases() if supervisor in c.assignees]

    def reporter_shown(self, case: CaseRow) -> str | None:
        """The reporter's user id, only when they chose to be named (or revealed)."""
        if case.anonymous or case.reporter is None:
            return None
        return self.vault.open(case.reporter)

    # ---- delivery hooks ------------------------------------------------------------------
    async def root_sent(self, key: str, channel: str, ts: str) -> None:
        """A thread root reached Slack: index it so replies in that thread find the case."""
        await self.repo.set_thread_hash(key, self.vault.index(channel, ts))

    async def index_unsent_roots(self) -> None:
        """Catch roots whose sent-hook was lost (crash between recording and hooking)."""
        for thread in await self.repo.unhashed_threads():
            sent = await self.outbox.sent_ref(thread.key)
            if sent is None:
                continue
            channel_bytes, ts = sent
            channel = (
                self.vault.open(channel_bytes)
                if thread.side == "reporter"
                else channel_bytes.decode()
            )
            await self.root_sent(thread.key, channel, ts)
