"""Recorded responses served like the real sources: over HTTP on 127.0.0.1 for end-to-end
crawls, or straight from a downloader middleware when building the bundled replay set.

A ``FixtureSite`` answers by method, path and query, whatever the host, so the same routes
serve ``-s BOAMP_API_URL=http://127.0.0.1:PORT/api/explore/v2.1`` and the real
``https://boamp-datadila.opendatasoft.com/api/explore/v2.1``. A source whose responses need
serving with some logic has a module (``tests/sites/<source>.py``) that defines ``site()``
and, for the replay set, ``REPLAY``; the others' sites are derived from their fixtures
(tests/sites/recorded.py, which also says which is which: ``site_for``, ``replay_for``).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(relative: str) -> bytes:
    """The bytes of a recorded response under tests/fixtures/."""
    return (FIXTURES / relative).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, body: bytes, status: int = 200, **headers: str) -> Reply:
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def html(cls, body: bytes, status: int = 200, **headers: str) -> Reply:
        return cls(status, body, {"Content-Type": "text/html; charset=utf-8", **headers})


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    host: str = ""  # the URL's host when the request came with one (the replay builder)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


Handler = Reply | Callable[[Received], Reply]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    times: int | None  # serve this many times, then let later routes answer


class FixtureSite:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()

    def add(self, method: str, path_regex: str, handler: Handler, *,
            times: int | None = None) -> FixtureSite:
        """Answer ``method`` on paths matching ``path_regex`` (full match). Routes added
        first win; with ``times`` a route answers that often, then steps aside (a 500 or a
        429 before the real page)."""
        self.routes.append(Route(method.upper(), re.compile(path_regex), handler, times))
        return self

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(url)
        request = Received(method.upper(), parts.path, parse_qs(parts.query), headers, body,
                           parts.hostname or "")
        with self._lock:
            self.received.append(request)
            for route in self.routes:
                if route.method != request.method or not route.pattern.fullmatch(parts.path):
                    continue
                if route.times is not None:
                    if route.times <= 0:
                        continue
                    route.times -= 1
                break
            else:
                return Reply(404, b"not found", {"Content-Type": "text/plain"})
        handler = route.handler
        return handler(request) if callable(handler) else handler

    def count(self, path_regex: str, method: str | None = None) -> int:
        pattern = re.compile(path_regex)
        return sum(1 for r in self.received if pattern.fullmatch(r.path)
                   and (method is None or r.method == method.upper()))


@contextlib.contextmanager
def serve(site: FixtureSite) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = site.handle(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
