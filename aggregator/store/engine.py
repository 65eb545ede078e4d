"""Engine and session set-up; the schema is created and upgraded by Alembic on first use."""

from __future__ import annotations

import ast
import contextlib
import fcntl
import logging
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aggregator.config import ConfigError, database_url, default_sqlite_path, load_config
from aggregator.i18n import _

if TYPE_CHECKING:  # the schema (pydantic) loads only for a server database's pool
    from aggregator.config.schema import PoolConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "db"


BUSY_SECONDS = 30  # how long a statement waits for another process's lock


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    # WAL lets the TUI read while a crawl writes; NORMAL is durable enough with WAL.
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _write_ahead_log(cursor: Any) -> None:
    """Put the file in WAL mode. Switching a new file takes a lock SQLite does not wait for,
    busy timeout or not: two processes opening a new store at once (two schedulers) had one
    fail at once with "database is locked". It waits here instead, as a statement would."""
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


# How much of the file a one-shot reader maps (see create_store_engine's ``map_file``).
MAPPED_BYTES = 256 * 1024 * 1024


def _mapped(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA mmap_size={MAPPED_BYTES}")


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


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite ``url`` names; None for an in-memory or URI one, or a server."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_store_engine(url: str | None = None, *, pool: PoolConfig | None = None,
                        map_file: bool = False, **pool_options: Any) -> Engine:
    """An engine for ``url`` (default: the configured database), without touching the schema.

    A server database gets a connection pool sized by ``pool`` (default: the configuration's
    ``[database]`` pool settings), each setting overridable by keyword (``pool_size=2``).
    SQLite ignores them: its file is opened per connection and has no server to time out.

    ``map_file``: SQLite reads the file's pages where the OS caches them instead of copying
    them into its own cache first (``mmap``), for a command that runs a few statements on a
    cold cache and exits (a count of 4,400 text matches out of 100,000 listings: 22 → 12 ms).
    Not for long-lived processes or whole-store reads: the mapped pages count in the
    process's memory (an export's peak RSS would go from ~110 to ~330 MB).
    """
    url = url or database_url()
    parsed = checked_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if map_file:
            event.listen(engine, "connect", _mapped)
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
    """The store's schema revision (None: no schema yet), read without importing Alembic."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(.+?)\s*$", re.MULTILINE)


@cache
def _head_revision() -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        for name, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            if (revision := ast.literal_eval(value)) is not None:
                (revisions if name == "revision" else parents).add(revision)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def head_revision(engine: Engine | None = None) -> str | None:
    """The newest revision of db/versions (one linear chain), read from the revision files
    instead of through Alembic: every command checks it at start-up."""
    return _head_revision()


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (no-op when already there)."""
    # Alembic's INFO lines ("setup plugin ...") would flood every crawl log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    head = head_revision()
    if revision == "head" and head is not None and current_revision(engine) == head:
        return  # the usual case, without taking the lock
    with _migration_lock(engine):
        if revision == "head" and current_revision(engine) == head_revision():
            return
        from alembic import command

        command.upgrade(alembic_config(engine), revision)


@cache
def _ready_engine(url: str, map_file: bool) -> Engine:
    engine = create_store_engine(url, map_file=map_file)
    upgrade_schema(engine)
    return engine


def get_engine(url: str | None = None, *, map_file: bool = False) -> Engine:
    """The process-wide engine for ``url``, its schema upgraded to head on first use
    (``map_file``: see :func:`create_store_engine`)."""
    return _ready_engine(url or database_url(), map_file)

