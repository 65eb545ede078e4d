"""Replaying recorded responses instead of the network, and recording them.

A replay set is a directory holding Scrapy's own HTTP cache (FilesystemCacheStorage, one
folder per spider) and ``manifest.json``, which says for each source the arguments and
settings it was recorded with: a replay must ask for exactly the same requests. Its
``recorded_as_of`` is the instant the set shows: a replay crawl judges what it stores at
that instant (a tender open then is stored open), and the store is then read as of it
(aggregator/store/state.py).
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response, TextResponse

from aggregator.i18n import _

MANIFEST = "manifest.json"
# request.meta keys: a response never written to a replay set (an OAuth token: a replay set
# is safe to share), and the body a replay answers such a request with instead.
NOT_RECORDED_META = "dont_record"
STAND_IN_META = "replay_stand_in"
# The replay set shipped for offline use, built from tests/fixtures by tests/build_replay.py.
BUNDLED_REPLAY = Path(__file__).resolve().parent / "bundled_replay"
# Hosts whose reachability tells "online" (the default endpoints of the tender sources).
PROBE_HOSTS = ("boamp-datadila.opendatasoft.com", "api.ted.europa.eu")


class ReplayError(ValueError):
    """A replay set that cannot be used; the message says why."""


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise ReplayError(_("%(directory)s is not a replay set (no %(manifest)s)")
                          % {"directory": directory, "manifest": MANIFEST})
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ReplayError(f"{path}: {exc}") from None
    if not isinstance(manifest.get("sources"), dict):
        raise ReplayError(_("%(path)s: no \"sources\" table") % {"path": path})
    return manifest


def recorded_as_of(manifest: dict[str, Any]) -> datetime | None:
    """The instant a replay set shows: its ``recorded_as_of``, else when its newest source
    was recorded."""
    given = manifest.get("recorded_as_of") or max(
        (s.get("recorded_at") or "" for s in manifest["sources"].values()), default="")
    try:
        return datetime.fromisoformat(given) if given else None
    except ValueError:
        raise ReplayError(_("recorded_as_of %(given)r is not an ISO instant")
                          % {"given": given}) from None


def record_in_manifest(directory: Path, source: str, args: dict[str, Any],
                       settings: dict[str, Any] | None = None) -> None:
    """Note the arguments a source was recorded with, so that replay asks the same."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest.setdefault("sources", {})[source] = {
        "args": {k: v for k, v in args.items() if v not in (None, "")},
        "settings": settings or {},
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def cache_settings(directory: Path, *, replay: bool) -> dict[str, Any]:
    """Scrapy HTTP cache settings: serve only from ``directory`` (replay) or fill it (record)."""
    return {
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(directory.resolve()),
        "HTTPCACHE_STORAGE": "aggregator.crawling.replay.ReplaySetStorage",
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy",
        "HTTPCACHE_EXPIRATION_SECS": 0,
        "HTTPCACHE_IGNORE_HTTP_CODES": [],
        # In replay, a request that was not recorded is ignored, never sent.
        "HTTPCACHE_IGNORE_MISSING": replay,
        # Replays need no politeness delay: nothing leaves the machine.
        **({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False} if replay else {}),
    }


class ReplaySetStorage(FilesystemCacheStorage):
    """Scrapy's filesystem cache, but a request marked ``dont_record`` (a token request) is
    never written; replayed, it is answered with its ``replay_stand_in`` body (sets recorded
    before keep answering with what they hold)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        # replaying (cache_settings): nothing missing is fetched; recording: all is
        self.replaying = settings.getbool("HTTPCACHE_IGNORE_MISSING")

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        if not request.meta.get(NOT_RECORDED_META):
            super().store_response(spider, request, response)

    def retrieve_response(self, spider: Any, request: Request) -> Response | None:
        recorded = super().retrieve_response(spider, request)
        stand_in = request.meta.get(STAND_IN_META)
        if recorded is not None or stand_in is None or not self.replaying:
            return recorded
        return TextResponse(request.url, status=200, body=stand_in, encoding="utf-8",
                            headers={"Content-Type": "application/json"}, request=request)


def network_available(hosts: tuple[str, ...] | None = None, timeout: float = 3.0) -> bool:
    """Whether any source host resolves and accepts a TCP connection on 443.

    AGGREGATOR_PROBE_HOSTS (comma-separated) replaces the probed hosts, e.g. behind a proxy.
    """
    if hosts is None:
        configured = os.environ.get("AGGREGATOR_PROBE_HOSTS")
        hosts = tuple(h.strip() for h in configured.split(",")) if configured else PROBE_HOSTS
    for host in hosts:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                return True
        except OSError:
            continue
    return False
