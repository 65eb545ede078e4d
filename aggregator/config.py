"""Configuration: one TOML file, `aggregator.toml`.

Looked up, first found wins: ``--config PATH`` / ``AGGREGATOR_CONFIG``, ``aggregator.toml`` in
the project directory, then in the user config directory. With no file, defaults apply.
Secrets (SMTP password, API client secrets) come from the environment only, never from here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

# The time zone of day boundaries in filters ("deadline<2026-12-01", "closing within 7d")
# and of the times shown: the French sources' own. Instants are stored in UTC.
LOCAL_TZ = ZoneInfo("Europe/Paris")

CONFIG_ENV = "AGGREGATOR_CONFIG"
DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"
CONFIG_NAME = "aggregator.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


def _check(section: str, name: str, value: Any, kind: type | tuple[type, ...],
           ok: bool = True, expected: str = "") -> None:
    """TOML gives typed values: refuse a wrong type (``enabled = "false"`` is a string, and
    bool("false") is True) or an out-of-range value, naming the key."""
    wrong_type = not isinstance(value, kind) or (isinstance(value, bool) and bool not in (
        kind if isinstance(kind, tuple) else (kind,)))
    if wrong_type or not ok:
        raise TypeError(f"[{section}] {name} must be {expected}, not {value!r}")


@dataclass(frozen=True)
class SourceConfig:
    name: str
    enabled: bool = True
    schedule: str | None = None  # "HH:MM" or a 5-field cron expression; None = the default time
    params: dict[str, Any] = field(default_factory=dict)  # the source's own parameters

    def __post_init__(self) -> None:
        section = f"sources.{self.name}"
        _check(section, "enabled", self.enabled, bool, expected="true or false")
        if self.schedule is not None:
            _check(section, "schedule", self.schedule, str,
                   expected='"HH:MM" or a cron expression')


@dataclass(frozen=True)
class ScheduleConfig:
    time: str = "06:00"
    timezone: str = "Europe/Paris"
    timeout_minutes: float = 60
    # `aggregator schedule`: a run missed by at most this much (machine asleep, process down)
    # is caught up once at start; an older one waits for the next scheduled time.
    grace_hours: float = 12
    jobs: int = 2  # crawls the scheduler runs at the same time
    log_file: str | None = None  # default: scheduler.log in the log directory

    def __post_init__(self) -> None:
        _check("schedule", "time", self.time, str, expected='"HH:MM"')
        _check("schedule", "timezone", self.timezone, str, expected='a zone like "Europe/Paris"')
        number = (int, float)
        _check("schedule", "timeout_minutes", self.timeout_minutes, number,
               isinstance(self.timeout_minutes, number) and self.timeout_minutes > 0,
               "a number of minutes > 0")
        _check("schedule", "grace_hours", self.grace_hours, number,
               isinstance(self.grace_hours, number) and self.grace_hours >= 0,
               "a number of hours >= 0")
        _check("schedule", "jobs", self.jobs, int,
               isinstance(self.jobs, int) and self.jobs >= 1, "a whole number >= 1")
        if self.log_file is not None:
            _check("schedule", "log_file", self.log_file, str, expected="a file path")


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    security: str = "none"  # "none" | "starttls" | "ssl"
    user: str | None = None
    sender: str = "aggregator@localhost"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        _check("smtp", "host", self.host, str, expected="a host name")
        _check("smtp", "port", self.port, int,
               isinstance(self.port, int) and 0 < self.port < 65536, "a port number")
        _check("smtp", "security", self.security, str,
               self.security in ("none", "starttls", "ssl"), '"none", "starttls" or "ssl"')
        if self.user is not None:
            _check("smtp", "user", self.user, str, expected="a user name")
        _check("smtp", "from", self.sender, str, expected="an e-mail address")
        _check("smtp", "timeout", self.timeout, (int, float),
               isinstance(self.timeout, int | float) and self.timeout > 0, "seconds > 0")

    @property
    def password(self) -> str | None:
        return os.environ.get("AGGREGATOR_SMTP_PASSWORD")


@dataclass(frozen=True)
class PoolConfig:
    """[database] connection pool of a PostgreSQL store, per process (SQLite has none)."""

    pool_size: int = 5         # connections kept open
    max_overflow: int = 10     # extra connections opened under load, closed when returned
    pool_timeout: float = 30   # seconds to wait for a free connection before failing
    pool_recycle: int = 1800   # seconds: reconnect older connections (server/proxy timeouts)

    def __post_init__(self) -> None:
        for name in ("pool_size", "max_overflow", "pool_timeout", "pool_recycle"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise TypeError(f"[database] {name} must be a number >= 0, not {value!r}")


@dataclass(frozen=True)
class DistributedConfig:
    """[distributed]: a crawl frontier shared in Redis (see aggregator/distributed)."""

    enabled: bool = False  # the scheduler seeds crawls for `aggregator worker`s
    redis_url: str | None = None

    def __post_init__(self) -> None:
        _check("distributed", "enabled", self.enabled, bool, expected="true or false")
        if self.redis_url is not None:
            _check("distributed", "redis_url", self.redis_url, str, expected="a redis:// URL")


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    database_url: str | None = None
    pool: PoolConfig = field(default_factory=PoolConfig)
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    distributed: DistributedConfig = field(default_factory=DistributedConfig)

    def source(self, name: str) -> SourceConfig:
        return self.sources.get(name) or SourceConfig(name=name)


def in_checkout() -> bool:
    """Running from the project's checkout (its db/ holds the store and logs), not from a
    plain install (platformdirs' user directories then)."""
    return (PROJECT_ROOT / "scrapy.cfg").exists()


def default_sqlite_path() -> Path:
    """db/aggregator.sqlite3 in a checkout; the user data directory for a plain install."""
    if in_checkout():
        return PROJECT_ROOT / "db" / "aggregator.sqlite3"
    return Path(platformdirs.user_data_dir("aggregator")) / "aggregator.sqlite3"


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit or os.environ.get(CONFIG_ENV):
        path = Path(explicit or os.environ[CONFIG_ENV]).expanduser()
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path}")
        return path
    for candidate in (PROJECT_ROOT / CONFIG_NAME,
                      Path(platformdirs.user_config_dir("aggregator")) / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def _section(data: dict[str, Any], name: str, path: Path | None) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    database = _section(data, "database", path)
    schedule = _section(data, "schedule", path)
    smtp = _section(data, "smtp", path)
    distributed = _section(data, "distributed", path)
    if "password" in smtp:
        raise ConfigError(f"{path}: [smtp] password: secrets never go in the file; "
                          "set AGGREGATOR_SMTP_PASSWORD in the environment")
    url = database.get("url")
    if url is not None and not isinstance(url, str):
        raise ConfigError(f"{path}: [database] url must be a SQLAlchemy URL, not {url!r}")
    try:
        sources: dict[str, SourceConfig] = {}
        for name, section in _section(data, "sources", path).items():
            if not isinstance(section, dict):
                raise ConfigError(f"{path}: [sources.{name}] must be a table")
            params = {k: v for k, v in section.items() if k not in ("enabled", "schedule")}
            sources[name] = SourceConfig(name=name, enabled=section.get("enabled", True),
                                         schedule=section.get("schedule"), params=params)
        return Config(
            path=path,
            database_url=database.get("url"),
            pool=PoolConfig(**{k: v for k, v in database.items() if k != "url"}),
            sources=sources,
            schedule=ScheduleConfig(**schedule),
            smtp=SmtpConfig(**{("sender" if k == "from" else k): v for k, v in smtp.items()}),
            distributed=DistributedConfig(**distributed),
        )
    except TypeError as exc:  # an unknown key, or a value of the wrong type or range
        raise ConfigError(f"{path}: {exc}") from None


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config_file(explicit)
    if path is None:
        return Config()
    return _read_config(path, path.stat().st_mtime_ns)


@cache
def _read_config(path: Path, _mtime_ns: int) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse_config(data, path)


def database_url(config: Config | None = None) -> str:
    """AGGREGATOR_DATABASE_URL, else [database] url, else SQLite in db/."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    config = config or load_config()
    if config.database_url:
        return config.database_url
    return f"sqlite:///{default_sqlite_path()}"
