"""Engine set-up: SQLite (WAL) by default, PostgreSQL via asyncpg in production."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.store import tables


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        db_path = url.split(":///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Database:
    """Owns the engine; repositories borrow its connections."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def create_schema(self) -> None:
        """Create missing tables and record the schema version (migrations take over from it)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(tables.metadata.create_all)
            row = (await conn.execute(select(tables.schema_info.c.version))).first()
            if row is None:
                await conn.execute(
                    insert(tables.schema_info).values(id=1, version=tables.SCHEMA_VERSION)
                )

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check reports, never raises
            return False

    async def close(self) -> None:
        await self.engine.dispose()
