"""The schema of aggregator.toml: one pydantic model per section (the sources' own in
:mod:`aggregator.config.sources`). Imported only when a file is read or a command reads a
section's values, so that commands without a file never load pydantic (start-up time)."""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aggregator.config.sources import SCHEDULE_EXPECTED, schedule_spec
from aggregator.i18n import N_


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

    pool_size: Annotated[int, _expect(N_("a number >= 0"), ge=0)] = 5  # connections kept open
    # extra connections opened under load, closed when returned
    max_overflow: Annotated[int, _expect(N_("a number >= 0"), ge=0)] = 10
    # seconds to wait for a free connection before failing
    pool_timeout: Annotated[Number, _expect(N_("a number >= 0"), ge=0)] = 30
    # seconds: reconnect older connections (server/proxy timeouts)
    pool_recycle: Annotated[int, _expect(N_("a number >= 0"), ge=0)] = 1800


class DatabaseSection(PoolConfig):
    url: Annotated[str | None, _expect(N_("a SQLAlchemy URL in quotes"))] = None


class ScheduleConfig(_Section):
    # every day at HH:MM, or a 5-field cron expression
    time: Annotated[str, AfterValidator(schedule_spec), _expect(SCHEDULE_EXPECTED)] = "06:00"
    timezone: Annotated[str, AfterValidator(_time_zone),
                        _expect(N_('a time zone like "Europe/Paris"'))] = "Europe/Paris"
    timeout_minutes: Annotated[Number, _expect(N_("a number of minutes > 0"), gt=0)] = 60
    # `aggregator schedule`: a run missed by at most this much (machine asleep, process down)
    # is caught up once at start; an older one waits for the next scheduled time.
    grace_hours: Annotated[Number, _expect(N_("a number of hours >= 0"), ge=0)] = 12
    # crawls the scheduler runs at the same time
    jobs: Annotated[int, _expect(N_("a whole number >= 1"), ge=1)] = 2
    # default: scheduler.log in the log directory
    log_file: Annotated[str | None, _expect(N_("a file path in quotes"))] = None


class SmtpConfig(_Section):
    host: Annotated[str, _expect(N_("a host name"))] = "localhost"
    port: Annotated[int, _expect(N_("a port number"), gt=0, lt=65536)] = 25
    security: Annotated[Literal["none", "starttls", "ssl"],
                        _expect(N_('"none", "starttls" or "ssl"'))] = "none"
    user: Annotated[str | None, _expect(N_("a user name"))] = None
    sender: Annotated[str, _expect(N_("an e-mail address")), Field(alias="from")] = (
        "aggregator@localhost")
    timeout: Annotated[Number, _expect(N_("seconds > 0"), gt=0)] = 30.0

    @property
    def password(self) -> str | None:
        return os.environ.get("AGGREGATOR_SMTP_PASSWORD")


class DistributedConfig(_Section):
    """[distributed]: a crawl frontier shared in Redis (see aggregator/crawling/distributed)."""

    enabled: Annotated[bool, _expect(N_("true or false"))] = False  # the scheduler seeds crawls
    redis_url: Annotated[str | None, AfterValidator(lambda v: v and _redis_url(v)),
                         _expect(N_("a redis:// URL"))] = None


class UiSection(_Section):
    """[ui]: read by aggregator.i18n before anything else (so --help speaks it too)."""

    language: Annotated[Literal["en", "fr"] | None, _expect(N_('"fr" or "en"'))] = None


class ConfigFile(_Section):
    """The whole file."""

    database: DatabaseSection = DatabaseSection()
    schedule: ScheduleConfig = ScheduleConfig()
    smtp: SmtpConfig = SmtpConfig()
    distributed: DistributedConfig = DistributedConfig()
    ui: UiSection = UiSection()
    # [sources.NAME]: each checked by its source's own section (aggregator.config.sources)
    sources: dict[str, dict[str, Any]] = {}
