"""Who a case goes to: designated supervisors, a backup and an optional private channel.

Environment settings are the defaults; what an admin saves in App Home (ConfigRepo) overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import SLACK_ID_RE, Settings
from bot.store.repos import ConfigRepo

KEY_SUPERVISORS = "escalation.supervisors"
KEY_BACKUP = "escalation.backup"
KEY_CHANNEL = "escalation.channel"


@dataclass(frozen=True)
class Routing:
    supervisors: tuple[str, ...]
    backup: str | None
    channel: str | None


@dataclass(frozen=True)
class Plan:
    assignees: tuple[str, ...]  # supervisors responsible for the case
    targets: tuple[str, ...]  # where case roots are posted: a channel, or each assignee's DM
    route: str  # primary | about_supervisor


class RoutingProblem(Exception):
    """The case cannot be routed; the message is for the worker."""


async def current_routing(settings: Settings, config: ConfigRepo) -> Routing:
    saved = await config.all()
    supervisors = saved.get(KEY_SUPERVISORS)
    if supervisors is None:
        supervisors = settings.SUPERVISOR_USER_IDS
    channel = saved.get(KEY_CHANNEL, settings.ESCALATION_CHANNEL_ID)
    return Routing(tuple(supervisors), saved.get(KEY_BACKUP) or None, channel or None)


def _check_id(value: str) -> str:
    if not SLACK_ID_RE.match(value):
        raise ValueError(f"{value!r} is not a Slack id")
    return value


async def save_routing(
    config: ConfigRepo, supervisors: list[str], backup: str | None, channel: str | None
) -> None:
    await config.set(KEY_SUPERVISORS, [_check_id(s) for s in supervisors])
    if backup:
        await config.set(KEY_BACKUP, _check_id(backup))
    else:
        await config.unset(KEY_BACKUP)
    # An explicit "" keeps a cleared channel cleared even when the environment sets one.
    await config.set(KEY_CHANNEL, _check_id(channel) if channel else "")


def plan(routing: Routing, reporter: str, about_supervisor: bool) -> Plan:
    """Pick assignees and targets. A concern about the supervisor goes to the backup's DM only,
    never to the shared channel, where the supervisor might read it."""
    if about_supervisor:
        if not routing.backup or routing.backup == reporter:
            raise RoutingProblem(
                "No backup supervisor is set up yet, so this can't be routed away from your "
                "supervisor. Ask an admin to set one in the app's Home tab, or contact HR or "
                "your agency's on-call line directly."
            )
        return Plan((routing.backup,), (routing.backup,), "about_supervisor")
    assignees = tuple(s for s in routing.supervisors if s != reporter)
    if not assignees and routing.backup and routing.backup != reporter:
        assignees = (routing.backup,)
    if not assignees:
        raise RoutingProblem(
            "No supervisor is set up to receive escalations yet. Ask an admin to add one in "
            "the app's Home tab (or SUPERVISOR_USER_IDS), and reach your supervisor directly "
            "in the meantime."
        )
    targets = (routing.channel,) if routing.channel else assignees
    return Plan(assignees, targets, "primary")
