"""Configuration: one TOML file, `aggregator.toml`, validated by one declared schema.

Looked up, first found wins: ``--config PATH`` / ``AGGREGATOR_CONFIG``, ``aggregator.toml`` in
the project directory, then in the user config directory. With no file, defaults apply.
Secrets (SMTP password, API client secrets) come from the environment only, never from here.

The schema is the pydantic models of :mod:`aggregator.config.schema` (the sections) and of
:mod:`aggregator.config.sources` (one per source), loaded only when a file is read or a
section's values are (pydantic costs ~150 ms of start-up). A file that breaks it — an
unknown section or key, a value of the wrong type or range — is refused by every command
in one line naming the file and the key (and the closest valid name for a misspelt one).
A file is checked once: its content found valid is remembered (a marker named by the hash
of the content and of the schema, in the user cache directory), so that the commands typed
every day read it again without loading the schema. docs/configuration.md describes every
key.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import platformdirs

from aggregator.config.errors import ConfigError
from aggregator.i18n import _

if TYPE_CHECKING:
    from aggregator.config.schema import (
        DistributedConfig,
        PoolConfig,
        ScheduleConfig,
        SmtpConfig,
    )

__all__ = ["LOCAL_TZ", "Config", "ConfigError", "DistributedConfig", "PoolConfig",
           "ScheduleConfig", "SmtpConfig", "SourceConfig", "database_url", "load_config"]

# The time zone of day boundaries in filters ("deadline<2026-12-01", "closing within 7d")
# and of the times shown: the French sources' own. Instants are stored in UTC.
LOCAL_TZ = ZoneInfo("Europe/Paris")

CONFIG_ENV = "AGGREGATOR_CONFIG"
DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"
CONFIG_NAME = "aggregator.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class SourceConfig:
    """A source's section as the spiders read it: ``params`` are its own keys (as written)."""

    name: str
    enabled: bool = True
    schedule: str | None = None  # "HH:MM" or a 5-field cron expression; None = the default time
    params: dict[str, Any] = field(default_factory=dict)  # the source's own parameters


class _SectionDefault:
    """A :class:`Config` field holding a schema section, its defaults built on first read:
    a command that never reads the section (with no file) never imports pydantic."""

    def __init__(self, model: str) -> None:
        self.model = model

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the field's default (dataclass asks the class): None, built below
        value = obj.__dict__.get(self.slot)
        if value is None or isinstance(value, dict):  # a default, or content checked before
            from aggregator.config import schema

            model = getattr(schema, self.model)
            value = model() if value is None else model.model_validate(value)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: object, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    database_url: str | None = None
    pool: PoolConfig = _SectionDefault("PoolConfig")  # type: ignore[assignment]
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    schedule: ScheduleConfig = _SectionDefault("ScheduleConfig")  # type: ignore[assignment]
    smtp: SmtpConfig = _SectionDefault("SmtpConfig")  # type: ignore[assignment]
    distributed: DistributedConfig = _SectionDefault(  # type: ignore[assignment]
        "DistributedConfig")

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
    from pydantic import ValidationError

    from aggregator.config.errors import describe, unknown_name
    from aggregator.config.schema import ConfigFile, PoolConfig
    from aggregator.config.sources import SECTIONS, SourceSection

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


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in the reader's language, where it is; the parser's own words
    (English) after it."""
    where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    reason = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(exc))
    if where is None:
        return _("%(file)s: not valid TOML (%(reason)s)") % {"file": path, "reason": reason}
    return _("%(file)s, line %(line)s, column %(column)s: not valid TOML (%(reason)s)") % {
        "file": path, "line": where[1], "column": where[2], "reason": reason}


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config_file(explicit)
    if path is None:
        return Config()
    return _read_config(path, path.stat().st_mtime_ns)


@cache
def _read_config(path: Path, _mtime_ns: int) -> Config:
    content = path.read_bytes()
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(_("%(file)s: not UTF-8 text (byte %(byte)d)")
                          % {"file": path, "byte": exc.start + 1}) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(path, exc)) from None
    marker = _checked_marker(content)
    if marker is not None and marker.exists():
        return _checked_config(data, path)
    config = parse_config(data, path)
    if marker is not None:
        with contextlib.suppress(OSError):  # not remembered: checked again next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    return config


# the modules whose code decides whether a file is valid
_SCHEMA_MODULES = ("__init__.py", "schema.py", "sources.py")


def _checked_marker(content: bytes) -> Path | None:
    """The file that says ``content`` was found valid by this schema; None when the schema
    is already loaded (the sources of other spider modules may have added sections)."""
    if "aggregator.config.sources" in sys.modules:
        return None
    digest = hashlib.sha256(content)
    for name in _SCHEMA_MODULES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return Path(platformdirs.user_cache_dir("aggregator")) / "checked-config" / digest.hexdigest()


def _checked_config(data: dict[str, Any], path: Path) -> Config:
    """The :class:`Config` of content found valid before, read without the schema: the
    schema is strict (no value is converted), so each value is the one written; the
    sections are built from it when first read."""
    database = dict(data.get("database", {}))
    url = database.pop("url", None)
    sources = {name: SourceConfig(name=name, enabled=given.get("enabled", True),
                                  schedule=given.get("schedule"),
                                  params={k: v for k, v in given.items()
                                          if k not in ("enabled", "schedule")})
               for name, given in data.get("sources", {}).items()}
    return Config(path=path, database_url=url, pool=database,  # type: ignore[arg-type]
                  sources=sources, schedule=data.get("schedule", {}),
                  smtp=data.get("smtp", {}), distributed=data.get("distributed", {}))


_SCHEMA = ("ConfigFile", "DistributedConfig", "PoolConfig", "ScheduleConfig", "SmtpConfig")


def __getattr__(name: str) -> Any:
    """The schema's sections, still importable from here (loaded on first use)."""
    if name in _SCHEMA:
        from aggregator.config import schema

        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def database_url(config: Config | None = None) -> str:
    """AGGREGATOR_DATABASE_URL, else [database] url, else SQLite in db/."""
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    config = config or load_config()
    if config.database_url:
        return config.database_url
    return f"sqlite:///{default_sqlite_path()}"
