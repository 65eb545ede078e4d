"""The base of every spider: source configuration, arguments, endpoints, items.

A spider parses only: it turns the source's raw fields into ``RawListing`` items (keeping the
raw payload) and never touches the database. The pipelines validate, normalise and store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings

from aggregator.config import LOCAL_TZ, SourceConfig, load_config
from aggregator.drop_reasons import DROPPED_PREFIX
from aggregator.items import RawListing
from spiders.base.values import text_list


@dataclass(frozen=True)
class Endpoint:
    """One address a spider reads: a Scrapy setting (the documented names, e.g. BOAMP_API_URL),
    its default (the real service), and the ``[sources.NAME]`` key that sets it in
    aggregator.toml (``api_url``). ``-s SETTING=URL`` beats the file, the file the default."""

    setting: str
    default: str
    key: str = "api_url"


class ListingSpider(scrapy.Spider):
    """Shared behaviour; subclasses set the class attributes and write the parsing.

    Arguments (``-a name=value``) override the source's ``[sources.NAME]`` configuration;
    list-valued ones are comma-separated (``boards=a,b``).
    """

    kind: ClassVar[str]  # "job" or "tender"
    about: ClassVar[str] = ""  # what the source is, in a few words (`aggregator sources list`)
    # The endpoint: its setting, the real service, its [sources.NAME] key. Sources with
    # more than one address list the others in ``more_endpoints``.
    endpoint_setting: ClassVar[str | None] = None  # e.g. "BOAMP_API_URL"
    endpoint_default: ClassVar[str | None] = None
    endpoint_key: ClassVar[str] = "api_url"
    more_endpoints: ClassVar[tuple[Endpoint, ...]] = ()
    # Settings holding credentials (``-s NAME=VALUE``, else the environment): known names.
    credential_settings: ClassVar[tuple[str, ...]] = ()
    # For incremental sources: how far back a first crawl goes, and the overlap with the
    # previous crawl (sources publish late, and a day of overlap costs only "unchanged" rows).
    first_crawl_days: ClassVar[int] = 30
    overlap_days: ClassVar[int] = 1
    # Incremental sources whose complete read (``-a full=true``) is the only crawl that can
    # close what disappeared: the scheduler asks for one when the last is this many days old.
    full_crawl_days: ClassVar[int | None] = None
    max_page_size: ClassVar[int] = 100  # the most records the source returns per request

    def __init__(self, *args: Any, crawl_run_id: int | None = None,
                 last_published_at: datetime | None = None,
                 last_published_by_scope: Mapping[str, datetime] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What this run was asked for; the run record and replay manifests keep it.
        self.run_args: dict[str, Any] = {k: v for k, v in kwargs.items()
                                         if k not in ("name", "_job")}
        self.completed_scopes: set[str] = set()  # scopes listed completely (for expiry)
        self.partial = False  # set when a cap or an error kept part of the source unread
        self.unconfigured_reason: str | None = None
        # Given, read from the store, by whoever starts the crawl (aggregator.crawling.launch):
        # the run this crawl records into, the newest published_at of the source and of each
        # scope (a scope absent from it has nothing stored yet).
        self.crawl_run_id = crawl_run_id
        self.last_published_at = last_published_at
        self.last_published_by_scope: dict[str, datetime] = dict(last_published_by_scope or {})

    # -- configuration -----------------------------------------------------------------

    @classmethod
    def endpoints(cls) -> tuple[Endpoint, ...]:
        """Every address this spider reads, its main endpoint first."""
        main = () if cls.endpoint_setting is None else (
            Endpoint(cls.endpoint_setting, cls.endpoint_default or "", cls.endpoint_key),)
        return main + cls.more_endpoints

    @classmethod
    def needs(cls) -> str | None:
        """What the source needs before it can run (credentials, boards...); None: nothing."""
        return None

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        """Why this spider cannot run as configured (credentials, boards...), or None.
        ``settings`` are the crawl's ``-s`` ones. (The configuration's own schema has
        already refused values of the wrong kind, such as an endpoint key holding no URL.)"""
        return None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The endpoints' settings: the real service by default, the configuration's
        ``[sources.NAME] api_url`` (and co.) above it, ``-s`` (command line) above both."""
        super().update_settings(settings)
        params = load_config().source(cls.name).params
        for endpoint in cls.endpoints():
            settings.set(endpoint.setting, endpoint.default, priority="default")
            configured = params.get(endpoint.key)
            if configured:  # a URL: the configuration's schema says so
                settings.set(endpoint.setting, configured.strip(), priority="spider")

    @property
    def source_config(self) -> SourceConfig:
        return load_config().source(self.name)

    def param(self, name: str, default: Any = None) -> Any:
        """A spider argument, else the source's config value, else ``default``."""
        if name in self.run_args and self.run_args[name] not in (None, ""):
            return self.run_args[name]
        return self.source_config.params.get(name, default)

    def list_param(self, name: str) -> list[str]:
        """A list parameter: ``-a boards=a,b`` or ``boards = ["a", "b"]`` in the config."""
        return text_list(self.param(name))

    @property
    def endpoint(self) -> str:
        if not self.endpoint_setting:  # AttributeError: introspection (getmembers) skips it
            raise AttributeError(f"{type(self).__name__} has no endpoint_setting")
        return str(self.settings.get(self.endpoint_setting)).rstrip("/")

    def today(self) -> date:
        """Today's date where the sources publish (Europe/Paris), not UTC's: from midnight to
        2 a.m. in summer, UTC still says yesterday."""
        return datetime.now(LOCAL_TZ).date()

    def last_published(self, scope: str | None = None) -> datetime | None:
        """The newest stored listing's publication of the source, or of one ``scope``."""
        if scope is None:
            return self.last_published_at
        return (getattr(self, "last_published_by_scope", None) or {}).get(scope)

    def since_date(self, scope: str | None = None) -> date:
        """First day to crawl: ``-a since=YYYY-MM-DD``, else the day before the newest stored
        listing, else ``first_crawl_days`` ago.

        With ``scope``, the newest stored listing *of that scope*: a board, department or site
        added since the last crawl starts like a first crawl instead of from the other scopes'
        newest listing. ``since_by_scope`` (what :meth:`record_since` kept) wins over both.
        """
        by_scope = self.recorded_since_by_scope()
        if scope is not None and by_scope is not None and by_scope.get(scope):
            return _day(by_scope[scope], "since_by_scope")
        since = self.param("since")
        if since:
            return _day(since, "since")
        today = self.today()
        last = self.last_published(scope)
        if last is not None:
            if last.tzinfo is None:  # the store's instants are UTC
                last = last.replace(tzinfo=UTC)
            return min(last.astimezone(LOCAL_TZ).date(), today) - timedelta(
                days=self.overlap_days)
        return today - timedelta(days=int(self.param("first_crawl_days",
                                                     self.first_crawl_days)))

    def record_since(self, since_by_scope: dict[str, date | None]) -> None:
        """Keep in ``run_args`` the first day each scope was read from (None: read whole), so
        that a replay or a distributed worker asks for the same: ``since`` when one day holds
        for every scope, else ``since_by_scope`` (its scopes only; the others are read whole),
        as JSON text: arguments reach workers and ``-a`` as text.
        """
        days = set(since_by_scope.values())
        self.run_args.pop("since_by_scope", None)
        if len(days) == 1 and None not in days:
            self.run_args["since"] = days.pop().isoformat()  # type: ignore[union-attr]
        elif days - {None}:
            self.run_args.pop("since", None)
            self.run_args["since_by_scope"] = json.dumps(
                {scope: day.isoformat() for scope, day in since_by_scope.items()
                 if day is not None}, sort_keys=True)

    def recorded_since_by_scope(self) -> dict[str, str] | None:
        """The ``since_by_scope`` argument (see :meth:`record_since`), or None."""
        value = self.param("since_by_scope")
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError(f"since_by_scope={value!r}: expected a JSON object of "
                                 "scope: YYYY-MM-DD") from None
        if not isinstance(value, dict):
            raise ValueError(f"since_by_scope={value!r}: expected a JSON object of "
                             "scope: YYYY-MM-DD")
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}

    def full_crawl(self) -> bool:
        """Read everything (``-a full=true``), not only what is new since the last crawl."""
        return str(self.param("full", "")).lower() in ("1", "true", "yes")

    @property
    def page_limit(self) -> int:
        """Records per request: ``-a page_size=`` may lower the source's maximum (tests page
        through few records), never raise it."""
        try:
            wanted = int(self.param("page_size") or self.max_page_size)
        except (TypeError, ValueError):
            wanted = self.max_page_size
        return max(1, min(wanted, self.max_page_size))

    def until_date(self) -> date:
        until = self.param("until")
        return _day(until, "until") if until else self.today()

    def unconfigured(self, reason: str) -> None:
        """Say in one line why this source cannot run; the run is recorded as unconfigured."""
        self.unconfigured_reason = reason
        self.logger.warning("%s not crawled: %s", self.name, reason)

    # -- parsing helpers ---------------------------------------------------------------

    def listing(self, **fields: Any) -> RawListing:
        """A RawListing of this spider's kind and source."""
        return RawListing(kind=self.kind, source=self.name, **fields)

    def read_json(self, response: Response) -> Any:
        """The response's JSON, or None (logged and counted) when it is not JSON."""
        try:
            return json.loads(response.text)
        except (ValueError, AttributeError) as exc:
            self.logger.error("unreadable JSON from %s (HTTP %s): %s", response.url,
                              response.status, exc)
            self.crawler.stats.inc_value(DROPPED_PREFIX + "unreadable response")
            self.partial = True
            return None

    def drop_record(self, reason: str, record_id: object = None) -> None:
        """Count a record the spider could not turn into a listing (and say which)."""
        self.logger.warning("dropped %s record %s: %s", self.name, record_id or "?", reason)
        self.crawler.stats.inc_value(DROPPED_PREFIX + reason)


def _day(value: object, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}={value!r}: expected YYYY-MM-DD") from None
