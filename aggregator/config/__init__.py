"""Configuration: one TOML file, `aggregator.toml`, validated by one declared schema.

Looked up, first found wins: ``--config PATH`` / ``AGGREGATOR_CONFIG``, ``aggregator.toml`` in
the project directory, then in the user config directory. With no file, defaults apply.
Secrets (SMTP password, API client secrets) come from the environment only, never from here.

The schema is the pydantic models below (the sections) and in :mod:`aggregator.config.sources`
(one per source). A file that breaks it — an unknown section or key, a value of the wrong
type or range — is refused by every command in one line naming the file and the key (and
the closest valid name for a misspelt one). docs/configuration.md describes every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from aggregator.config.errors import ConfigError, describe, unknown_name
from aggregator.config.sources import (
    SCHEDULE_EXPECTED,
    SECTIONS,
    SourceSection,
    schedule_spec,
)
from aggregator.i18n import _

__all__ = ["LOCAL_TZ", "Config", "ConfigError", "DistributedConfig", "PoolConfig",
           "ScheduleConfig", "SmtpConfig", "SourceConfig", "database_url", "load_config"]

# The time zone of day boundaries in filters ("deadline<2026-12-01", "closing within 7d")
# and of the times shown: the French sources' own. Instants are stored in UTC.
LOCAL_TZ = ZoneInfo("Europe/Paris")

CONFIG_ENV = "AGGREGATOR_CONFIG"
DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"
CONFIG_NAME = "aggregator.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _expect(text: str, **constraints: Any) -> Any:
    return Field(json_schema_extra={"expected": text}, **constraints)


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone") from None
    return value


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("not a redis:// URL")
    return value


class _Section(BaseModel):
    # TOML values are typed: "false" is a string, not false (strict: no coercion).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_by_name=True)


Number = int | float


class PoolConfig(_Section):
    """[database] connection pool of a PostgreSQL store, per process (SQLite has none)."""

    pool_size: Annotated[int, _expect("a number >= 0", ge=0)] = 5  # connections kept open
    # extra connections opened under load, closed when returned
    max_overflow: Annotated[int, _expect("a number >= 0", ge=0)] = 10
    # seconds to wait for a free connection before failing
    pool_timeout: Annotated[Number, _expect("a number >= 0", ge=0)] = 30
    # seconds: reconnect older connections (server/proxy timeouts)
    pool_recycle: Annotated[int, _expect("a number >= 0", ge=0)] = 1800


class DatabaseSection(PoolConfig):
    url: Annotated[str | None, _expect("a SQLAlchemy URL in quotes")] = None


class ScheduleConfig(_Section):
    # every day at HH:MM, or a 5-field cron expression
    time: Annotated[str, AfterValidator(schedule_spec), _expect(SCHEDULE_EXPECTED)] = "06:00"
    timezone: Annotated[str, AfterValidator(_time_zone),
                        _expect('a time zone like "Europe/Paris"')] = "Europe/Paris"
    timeout_minutes: Annotated[Number, _expect("a number of minutes > 0", gt=0)] = 60
    # `aggregator schedule`: a run missed by at most this much (machine asleep, process down)
    # is caught up once at start; an older one waits for the next scheduled time.
    grace_hours: Annotated[Number, _expect("a number of hours >= 0", ge=0)] = 12
    # crawls the scheduler runs at the same time
    jobs: Annotated[int, _expect("a whole number >= 1", ge=1)] = 2
    # default: scheduler.log in the log directory
    log_file: Annotated[str | None, _expect("a file path in quotes")] = None


class SmtpConfig(_Section):
    host: Annotated[str, _expect("a host name")] = "localhost"
    port: Annotated[int, _expect("a port number", gt=0, lt=65536)] = 25
    security: Annotated[Literal["none", "starttls", "ssl"],
                        _expect('"none", "starttls" or "ssl"')] = "none"
    user: Annotated[str | None, _expect("a user name")] = None
    sender: Annotated[str, _expect("an e-mail address"), Field(alias="from")] = (
        "aggregator@localhost")
    timeout: Annotated[Number, _expect("seconds > 0", gt=0)] = 30.0

    @property
    def password(self) -> str | None:
        return os.environ.get("AGGREGATOR_SMTP_PASSWORD")


class DistributedConfig(_Section):
    """[distributed]: a crawl frontier shared in Redis (see aggregator/crawling/distributed)."""

    enabled: Annotated[bool, _expect("true or false")] = False  # the scheduler seeds crawls
    redis_url: Annotated[str | None, AfterValidator(lambda v: v and _redis_url(v)),
                         _expect("a redis:// URL")] = None


class UiSection(_Section):
    """[ui]: read by aggregator.i18n before anything else (so --help speaks it too)."""

    language: Annotated[Literal["en", "fr"] | None, _expect('"fr" or "en"')] = None


class ConfigFile(_Section):
    """The whole file."""

    database: DatabaseSection = DatabaseSection()
    schedule: ScheduleConfig = ScheduleConfig()
    smtp: SmtpConfig = SmtpConfig()
    distributed: DistributedConfig = DistributedConfig()
    ui: UiSection = UiSection()
    # [sources.NAME]: each checked by its source's own section (aggregator.config.sources)
    sources: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class SourceConfig:
    """A source's section as the spiders read it: ``params`` are its own keys (as written)."""

    name: str
    enabled: bool = True
    schedule: str | None = None  # "HH:MM" or a 5-field cron expression; None = the default time
    params: dict[str, Any] = field(default_factory=dict)  # the source's own parameters


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
            raise ConfigError(_("configuration file not found: %(path)s") % {"path": path})
        return path
    for candidate in (PROJECT_ROOT / CONFIG_NAME,
                      Path(platformdirs.user_config_dir("aggregator")) / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate the file's content against the schema; ConfigError says where and why."""
    try:
        checked = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc, ConfigFile)}") from None
    sources = {}
    for name, given in checked.sources.items():
        if name not in SECTIONS:
            raise ConfigError(f"{path}: {unknown_name(('sources', name), list(SECTIONS))}")
        try:
            section: SourceSection = SECTIONS[name].model_validate(given)
        except ValidationError as exc:
            raise ConfigError(f"{path}: {describe(exc, SECTIONS[name], ('sources', name))}"
                              ) from None
        sources[name] = SourceConfig(
            name=name, enabled=section.enabled, schedule=section.schedule,
            params={k: v for k, v in given.items() if k not in ("enabled", "schedule")})
    database = checked.database
    return Config(path=path, database_url=database.url,
                  pool=PoolConfig(**database.model_dump(exclude={"url"})), sources=sources,
                  schedule=checked.schedule, smtp=checked.smtp,
                  distributed=checked.distributed)


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
