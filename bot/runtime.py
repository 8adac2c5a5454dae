"""Composition root: builds the store, the library and the services every surface shares."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.delivery import Outbox
from bot.escalation.service import attach_escalation
from bot.guidance.library import Library, load_library
from bot.guidance.search import Searcher
from bot.guidance.service import GuidanceService
from bot.settings import Settings
from bot.store import Database
from bot.store.repos import ConfigRepo, EventLog, FeedbackRepo
from bot.tips.service import attach_tips

log = logging.getLogger("peerconsult")


def load_embedder() -> Any | None:
    """The static embedding model, when its data file is present; search works without it."""
    try:
        from bot.guidance.embed import StaticEmbedder
    except ImportError:
        return None
    try:
        return StaticEmbedder.load()
    except (OSError, ValueError) as exc:
        log.warning("semantic search disabled: %s", exc)
        return None


def build_guidance(settings: Settings, library: Library | None = None) -> GuidanceService:
    library = library or load_library(
        Path(settings.PEERCONSULT_CONTENT_DIR) if settings.PEERCONSULT_CONTENT_DIR else None
    )
    return GuidanceService(library, Searcher(library, load_embedder()), settings.ONCALL_LINE)


@dataclass
class Services:
    settings: Settings
    db: Database
    guidance: GuidanceService
    config: ConfigRepo
    feedback: FeedbackRepo
    events: EventLog
    outbox: Outbox
    # Set by the surface at start-up: wakes the delivery worker after something is enqueued.
    nudge: Any = None
    # Feature services (escalation, tips) attach themselves here by name.
    extra: dict[str, Any] = field(default_factory=dict)

    def wake_delivery(self) -> None:
        if self.nudge is not None:
            self.nudge()

    @property
    def library(self) -> Library:
        return self.guidance.library


async def build_services(settings: Settings, guidance: GuidanceService | None = None) -> Services:
    db = Database(settings.DATABASE_URL)
    # Feature tables live beside their features; import them so create_schema sees them.
    # (escalation and tips add their table-module imports here)
    import bot.escalation.tables  # noqa: F401
    import bot.tips.tables  # noqa: F401

    await db.create_schema()
    svc = Services(
        settings=settings,
        db=db,
        guidance=guidance or build_guidance(settings),
        config=ConfigRepo(db),
        feedback=FeedbackRepo(db),
        events=EventLog(db),
        outbox=Outbox(db),
    )
    # Feature services attach to svc.extra here (escalation, tips).
    attach_escalation(svc)
    attach_tips(svc)
    return svc
