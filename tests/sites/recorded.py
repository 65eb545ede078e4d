"""Every spider's fake site and replay arguments, a module of its own or derived from fixtures.

A source whose recorded responses need serving with some logic (filters, paging, details,
tokens) has ``tests/sites/<source>.py`` with ``site()`` and ``REPLAY``. A board platform
that answers one recorded document per board needs none: its site is derived here from
its fixtures, by convention:

- a fixture is ``tests/fixtures/<dir>/<spider>_<board>_<what>.<ext>`` (``ashby_linear_
  job-board.json``: the ``linear`` board of the ``ashby`` spider);
- its PROVENANCE.md entry, on the line that names the file, names the recorded request as
  `` `GET https://...` ``.

The derived site answers that request (the board in the path, or in the host for
per-company hosts, which local tests reach as ``BASE/{board}``) with the recorded bytes, but
only with the recorded query (anything else is "not what was recorded": 400); any other
board with 404. For empty-board tests, ``emptied_boards`` answer the recorded document with
no record left (built here, from the recording).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from aggregator.crawling.registry import spider_class
from spiders.base.boards import pointer
from tests.sites import FIXTURES, FixtureSite, Received, Reply

CONTENT_TYPES = {".json": "application/json; charset=utf-8",
                 ".xml": "application/xml; charset=utf-8",
                 ".html": "text/html; charset=utf-8"}
_REQUEST = re.compile(r"`(GET|POST) (https?://[^`\s]+)`")


@dataclass(frozen=True)
class Recording:
    """One recorded response of a board: the file, its board, the request it answered."""

    path: Path
    board: str
    method: str
    url: str

    @property
    def body(self) -> bytes:
        return self.path.read_bytes()


def recorded_request(path: Path) -> tuple[str, str] | None:
    """(method, URL) of the request a fixture answered, from its PROVENANCE.md line."""
    for provenance in FIXTURES.rglob("PROVENANCE.md"):
        for line in provenance.read_text(encoding="utf-8").splitlines():
            if f"`{path.name}`" in line and (found := _REQUEST.search(line)):
                return found.group(1), found.group(2)
    return None


def recordings(source: str) -> list[Recording]:
    """The recorded responses of ``source``'s boards, by the naming convention."""
    found = []
    for path in sorted(FIXTURES.glob(f"*/{source}_*")):
        board = path.name[len(source) + 1:].split("_")[0]
        request = recorded_request(path)
        if request is None:
            raise LookupError(f"{path.relative_to(FIXTURES)}: no recorded request "
                              "(`GET https://...`) on its PROVENANCE.md line")
        found.append(Recording(path, board, *request))
    return found


def _records(recording: Recording) -> tuple[Any, list[Any]]:
    """(the parsed document, its records) — where the spider reads them."""
    spider = spider_class(recording.path.name.split("_")[0])
    if recording.path.suffix == ".json":
        document = json.loads(recording.body)
        records = pointer(document, spider.records_pointer)
        return document, records if isinstance(records, list) else []  # not a job list
    document = etree.fromstring(recording.body)
    for element in document.iter():  # the spider reads names without namespaces, so does this
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    return document, document.xpath(f"{spider.feed_root}/{spider.records_path}")


def record_count(recording: Recording) -> int:
    """How many records (jobs) the recorded document holds where the spider reads them."""
    return len(_records(recording)[1])


def emptied(recording: Recording) -> bytes:
    """The recorded document with no record left (what an empty board answers)."""
    document, records = _records(recording)
    if recording.path.suffix == ".json":
        records.clear()
        return json.dumps(document).encode()
    for record in records:
        record.getparent().remove(record)
    return etree.tostring(document, xml_declaration=True, encoding="utf-8")


def recorded_site(source: str, emptied_boards: Iterable[str] = ()) -> FixtureSite:
    """The site of a board platform with no module of its own (see the module doc)."""
    routes: dict[tuple[str, str], dict[str, Recording]] = {}
    for recording in recordings(source):
        parts = urlsplit(recording.url)
        segments = parts.path.split("/")
        if recording.board in segments:  # the board in the path
            path = "/".join("(?P<board>[^/]+)" if s == recording.board else re.escape(s)
                            for s in segments)
        else:  # a host per board: reached as BASE/{board}/... in tests
            path = "(?:/(?P<board>[^/]+))?" + re.escape(parts.path)
        routes.setdefault((recording.method, path), {})[recording.board] = recording
    site = FixtureSite()
    for (method, path), boards in routes.items():
        site.add(method, path, _answer(re.compile(path), boards, set(emptied_boards)))
    return site


def _answer(path: re.Pattern[str], boards: dict[str, Recording], emptied_boards: set[str]) -> Any:
    def handle(request: Received) -> Reply:
        match = path.fullmatch(request.path)
        board = (match and match.groupdict().get("board")) or _board_of_host(request, boards)
        recording = boards.get(board or "")
        if recording is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if request.query != parse_qs(urlsplit(recording.url).query):
            return Reply(400, b"not what was recorded", {"Content-Type": "text/plain"})
        body = emptied(recording) if board in emptied_boards else recording.body
        return Reply(200, body, _content_type(recording))

    return handle


def _board_of_host(request: Received, boards: dict[str, Recording]) -> str | None:
    """The board a per-board host names (``manual.recruitee.com``); the only one when the
    request came without its host."""
    if not request.host:
        return next(iter(boards)) if len(boards) == 1 else None
    return next((board for board, recording in boards.items()
                 if urlsplit(recording.url).hostname == request.host), None)


def _content_type(recording: Recording) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPES.get(recording.path.suffix, "text/plain")}


def _module(source: str) -> Any:
    try:
        return importlib.import_module(f"tests.sites.{source}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.sites.{source}":
            raise
        return None


def derived(source: str) -> bool:
    """Whether ``source``'s site is derived from its fixtures (no module of its own)."""
    return _module(source) is None


def site_for(source: str) -> FixtureSite:
    """The fake site of ``source``: its module's ``site()``, else the derived one."""
    module = _module(source)
    return module.site() if module is not None else recorded_site(source)


def replay_for(source: str) -> dict[str, Any]:
    """What a crawl of ``source``'s recorded responses asks for: ``{"args", "settings"}``."""
    module = _module(source)
    if module is not None:
        return {"args": {}, "settings": {}, **module.REPLAY}
    boards = dict.fromkeys(recording.board for recording in recordings(source))
    if not boards:
        raise LookupError(f"{source}: no recorded fixture (tests/fixtures/*/{source}_*) and no "
                          f"tests/sites/{source}.py")
    return {"args": {"boards": ",".join(boards)}, "settings": {}}


def local_endpoints(source: str, base: str) -> dict[str, str]:
    """``source``'s endpoint settings pointed at a local server: the default's path under
    ``base``, a per-board host as ``base/{board}``."""
    found = {}
    for endpoint in spider_class(source).endpoints():
        parts = urlsplit(endpoint.default)
        board = "/{board}" if "{board}" in parts.netloc else ""
        found[endpoint.setting] = f"{base}{board}{parts.path}"
    return found
