"""Relay: a reply in one side's thread becomes a message in the other side's thread.

Text only. Each relayed message's outbox key is a keyed digest of the thread and message ts, so a
retried event never relays twice and no key names the reporter or their DM channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.escalation.cases import KIND_EVENT, KIND_RELAY, EscalationService

log = logging.getLogger("peerconsult.escalation")
RELAY_LIMIT = 3000

RelayOutcome = Literal["relayed", "not_a_case", "closed", "files_only"]


@dataclass(frozen=True)
class IncomingMessage:
    channel: str
    thread_ts: str
    ts: str
    text: str
    has_files: bool = False


async def relay_message(esc: EscalationService, msg: IncomingMessage) -> RelayOutcome:
    thread = await esc.repo.thread_by_hash(esc.vault.index(msg.channel, msg.thread_ts))
    if thread is None:
        return "not_a_case"
    digest = esc.vault.index(msg.channel, msg.thread_ts, msg.ts)
    from_reporter = thread.side == "reporter"
    text = msg.text.strip()
    async with esc.db.engine.begin() as conn:
        case = await esc.repo.case_in(conn, thread.case_id)
        if case is None:
            return "not_a_case"

        async def to_sender(event: str, plain: str) -> None:
            data = esc.event(event)
            if from_reporter:
                await esc.to_reporter(conn, case, f"msg:{digest}", KIND_EVENT, plain, data)
            else:
                await esc.to_supervisors(
                    conn, case, f"msg:{digest}", KIND_EVENT, plain, data, only=[thread]
                )

        if not case.is_open:
            await to_sender(
                "closed", f"Case {case.id} is closed; messages are no longer passed on."
            )
            outcome: RelayOutcome = "closed"
        else:
            if text:
                data = {
                    "sender": "reporter" if from_reporter else "supervisor",
                    "text": text[:RELAY_LIMIT],
                }
                plain = f"New message in case {case.id}"
                if from_reporter:
                    await esc.to_supervisors(conn, case, f"msg:{digest}", KIND_RELAY, plain, data)
                else:
                    await esc.to_reporter(conn, case, f"msg:{digest}", KIND_RELAY, plain, data)
            if msg.has_files:
                # Files could carry names, faces or metadata: they stay where they were posted.
                # (The notice goes to the sender's side, the relay to the other: keys differ.)
                await to_sender(
                    "file_not_relayed",
                    f"Files aren't passed on in case {case.id}; only text is relayed.",
                )
            outcome = "relayed" if text else "files_only"
    esc.wake()
    log.info("escalation relay: %s", outcome)
    return outcome
