"""Shared fixtures: an isolated configuration, stores on SQLite and PostgreSQL, and the one
frozen clock (at tests.factories.NOW).

PostgreSQL tests run when a server answers at AGGREGATOR_TEST_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test) and are skipped, saying so, otherwise.
Each test session works in a database of its own, created and dropped here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aggregator.i18n import LANGUAGE_ENV, set_language
from tests.factories import NOW

os.environ[LANGUAGE_ENV] = "en"  # before any module reads a message at import

POSTGRES_URL = os.environ.get("AGGREGATOR_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_TABLES_KEPT = {"alembic_version"}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time stands still at ``NOW`` (Friday 27 March 2026, 10:00 in Paris) for the test;
    ``clock.move_to(...)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's configuration or writes to the real store."""
    home = tmp_path_factory.mktemp("home")
    config = home / "aggregator.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{home}/default.sqlite3")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    # The suite reads messages in English; tests of the French text set the language themselves.
    monkeypatch.setenv(LANGUAGE_ENV, "en")
    set_language(None)
    for name in ("FRANCE_TRAVAIL_CLIENT_ID", "FRANCE_TRAVAIL_CLIENT_SECRET",
                 "AGGREGATOR_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def default_language(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No language asked for, in a C locale: messages in the default language (French)."""
    monkeypatch.delenv(LANGUAGE_ENV)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.setenv(name, "C")
    set_language(None)


def _postgres_admin():
    try:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return engine
    except Exception as exc:
        return exc


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (skipped when none answers)."""
    admin = _postgres_admin()
    if isinstance(admin, Exception) and os.environ.get("AGGREGATOR_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL required (AGGREGATOR_REQUIRE_POSTGRES) but not reachable at "
                    f"{POSTGRES_URL}: {admin}")
    if isinstance(admin, Exception):
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} "
                    f"({type(admin).__name__}); set AGGREGATOR_TEST_POSTGRES_URL to run these")
    name = f"aggregator_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from aggregator.store.engine import _ready_engine

        _ready_engine.cache_clear()  # drops our reference to its pooled connections
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_postgres(url: str) -> None:
    from aggregator.store.engine import get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        tables = [row[0] for row in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            if row[0] not in _TABLES_KEPT]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> str:
    """The same test on SQLite and on PostgreSQL; also the process's configured store."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url)
    return url


@pytest.fixture
def engine(store_url: str):
    from aggregator.store.engine import get_engine

    return get_engine(store_url)
