"""Engine and session set-up; the schema is created and upgraded by Alembic on first use."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aggregator.config import (
    ConfigError,
    PoolConfig,
    database_url,
    default_sqlite_path,
    load_config,
)
from aggregator.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the TUI read while a crawl writes; NORMAL is durable enough with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


# What the store runs on: backend → the drivers it is tested with.
SUPPORTED = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}


def checked_url(url: str) -> URL:
    """``url`` parsed, if it names a supported database; a SQLite file's folder must exist,
    except the default db/ one (created). ConfigError otherwise, in one line."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(_("database URL %(url)r: not a URL such as sqlite:///PATH or "
                            "postgresql+psycopg://USER@HOST/DATABASE") % {"url": url}) from None
    if parsed.get_driver_name() not in SUPPORTED.get(parsed.get_backend_name(), ()):
        raise ConfigError(_("database URL %(url)s: unsupported database %(name)r (supported: "
                            "SQLite, sqlite:///PATH; PostgreSQL, postgresql+psycopg://USER@HOST"
                            "/DATABASE)") % {"url": parsed.render_as_string(hide_password=True),
                                             "name": parsed.drivername})
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" and not (
            database.startswith("file:")):
        folder = Path(database).expanduser().parent
        if folder == default_sqlite_path().parent:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise ConfigError(_("database URL %(url)s: the folder %(folder)s does not exist "
                                "(create it first)") % {"url": url, "folder": folder})
    return parsed


def create_store_engine(url: str | None = None, *, pool: PoolConfig | None = None,
                        **pool_options: Any) -> Engine:
    """An engine for ``url`` (default: the configured database), without touching the schema.

    A server database gets a connection pool sized by ``pool`` (default: the configuration's
    ``[database]`` pool settings), each setting overridable by keyword (``pool_size=2``).
    SQLite ignores them: its file is opened per connection and has no server to time out.
    """
    url = url or database_url()
    parsed = checked_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    settings = (pool or load_config().pool).model_dump() | pool_options
    # pre-ping: a connection the server or a proxy closed meanwhile is replaced, not an error.
    return create_engine(url, pool_pre_ping=True, **settings)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The engine itself, not its URL: a URL in Alembic's (configparser) options breaks on a
    # password holding "%", and would put the password where Alembic may log it.
    config.attributes["engine"] = engine
    return config


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Only one process migrates at a time (several crawls may start on a fresh database)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(727274)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(727274)"))
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (no-op when already there)."""
    from alembic import command

    # Alembic's INFO lines ("setup plugin ...") would flood every crawl log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with _migration_lock(engine):
        if revision == "head" and current_revision(engine) == head_revision(engine):
            return
        command.upgrade(alembic_config(engine), revision)


@cache
def _ready_engine(url: str) -> Engine:
    engine = create_store_engine(url)
    upgrade_schema(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url``, its schema upgraded to head on first use."""
    return _ready_engine(url or database_url())

