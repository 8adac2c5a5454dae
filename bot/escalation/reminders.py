"""The response clock: reminders for unacknowledged cases, then routing to the backup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.escalation.cases import KIND_CASE, KIND_EVENT, EscalationService, supervisor_root
from bot.escalation.repo import CaseRow
from bot.ports import OutMessage


class ResponseClock:
    """Reminds a supervisor of an unacknowledged case, then routes it to the backup.

    Each step is a conditional update on the case's stage plus its outbox rows in one
    transaction, so two processes ticking at once never announce a step twice.
    """

    def __init__(self, esc: EscalationService) -> None:
        self.esc = esc

    async def tick(self) -> int:
        esc = self.esc
        now = esc.clock.now()
        steps = 0
        for case in await esc.repo.due(now):
            if case.stage == 0:
                steps += await self._remind(case, now)
            elif case.stage == 1:
                steps += await self._backup(case, now)
        if steps:
            esc.wake()
        return steps

    async def _remind(self, case: CaseRow, now: datetime) -> int:
        esc = self.esc
        hours = esc.window(case.urgency).total_seconds() / 3600
        async with esc.db.engine.begin() as conn:
            if not await esc.repo.change(
                conn,
                case.id,
                {"stage": 1, "due_at": now + esc.window(case.urgency)},
                statuses=("open",),
                stage=0,
            ):
                return 0
            await esc.to_supervisors(
                conn,
                case,
                "remind",
                KIND_EVENT,
                f"Reminder: case {case.id} has not been acknowledged.",
                esc.event("reminder", assignees=list(case.assignees), hours=hours),
            )
            await esc.to_reporter(
                conn,
                case,
                "remind",
                KIND_EVENT,
                f"No one has acknowledged case {case.id} yet; we reminded your supervisor.",
                esc.event("reminder", urgency=case.urgency, oncall=esc.settings.ONCALL_LINE),
            )
        return 1

    async def _backup(self, case: CaseRow, now: datetime) -> int:
        esc = self.esc
        routing = await esc.routing()
        backup = routing.backup
        reporter = esc.vault.open(case.reporter) if case.reporter is not None else None
        usable = bool(backup) and backup not in case.assignees and backup != reporter
        async with esc.db.engine.begin() as conn:
            values: dict[str, Any] = {"stage": 2, "due_at": None}
            if usable:
                values["assignees"] = [*case.assignees, backup]
            if not await esc.repo.change(conn, case.id, values, statuses=("open",), stage=1):
                return 0
            if usable:
                assert backup is not None
                key = supervisor_root(case.id, "b")
                await esc.repo.add_thread(conn, key, case.id, "supervisor", backup)
                await esc.outbox.enqueue(
                    conn,
                    key=key,
                    kind=KIND_CASE,
                    target=backup.encode(),
                    message=OutMessage(
                        KIND_CASE,
                        f"Escalation case {case.id} needs a backup supervisor",
                        {
                            "case_id": case.id,
                            "concern": case.concern or "",
                            "urgency": case.urgency,
                            "reporter": esc.reporter_shown(case),
                            "assignees": [backup],
                            "route": "backup",
                            "channel": False,
                        },
                    ),
                )
                await esc.to_supervisors(
                    conn,
                    case,
                    "backup",
                    KIND_EVENT,
                    f"Case {case.id} was routed to the backup supervisor.",
                    esc.event("routed_to_backup", user=backup),
                    only=[
                        t
                        for t in await esc.repo.threads_in(conn, case.id, "supervisor")
                        if t.key != key
                    ],
                )
            await esc.to_reporter(
                conn,
                case,
                "backup",
                KIND_EVENT,
                f"Case {case.id} has now gone to a backup supervisor."
                if usable
                else f"Case {case.id} is still waiting for a supervisor.",
                esc.event(
                    "routed_to_backup" if usable else "no_backup",
                    urgency=case.urgency,
                    oncall=esc.settings.ONCALL_LINE,
                ),
            )
        return 1
