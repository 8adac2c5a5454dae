"""Database URLs for store tests: SQLite always, PostgreSQL when one answers at 127.0.0.1:5432."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

PG_BASE = os.environ.get("PEERCONSULT_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    async def probe() -> str | None:
        try:
            import asyncpg

            conn = await asyncpg.connect(
                PG_BASE.replace("postgresql+asyncpg", "postgresql"), timeout=3
            )
            # Drop the per-test databases an earlier run left behind.
            names = await conn.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE 'peerconsult_t_%'"
            )
            for row in names:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row[0]}" WITH (FORCE)')
            await conn.close()
            return None
        except Exception as exc:  # noqa: BLE001
            return f"{type(exc).__name__}: {exc}"

    return asyncio.run(probe())


_PG_PROBLEM = _pg_reachable()


async def fresh_pg_url() -> str:
    """A new empty database per test, so tests never see each other's rows."""
    import asyncpg

    name = "peerconsult_t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(PG_BASE.replace("postgresql+asyncpg", "postgresql"))
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    return PG_BASE.rsplit("/", 1)[0] + "/" + name


backends = pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                _PG_PROBLEM is not None,
                reason=f"PostgreSQL not reachable at 127.0.0.1:5432 ({_PG_PROBLEM})",
            ),
        ),
    ],
)


async def url_for(backend: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/store.db"
    return await fresh_pg_url()
