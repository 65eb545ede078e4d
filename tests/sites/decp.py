"""DECP files served as their hosts serve them: the real recorded files (tests/fixtures/awards,
PROVENANCE.md) at ``/decp/<file name>`` and again at ``/decp/consolidated/<file name>``, and
the broken files a crawl must survive: an HTML error page, a file cut short (the real 2022
file truncated) and a file far larger than the others (real records repeated, the same
contracts again).

And the national dataset's Opendatasoft export, ``/api/explore/v2.1/catalog/datasets/
<dataset>/exports/csv`` (``DatasetSite``): the recorded CSV export of
``decp-2022-marches-valides`` (9 real rows), its rows filtered by the ``where`` the spider
sends (``datepublicationdonnees >= date'YYYY-MM-DD'``, ``< date'...'``, or both joined by
``AND``, on the ``datePublicationDonnees`` column), the bytes of each kept row unchanged.
Only the recorded request's format is served (``use_labels=true``, ``delimiter=;``): any
other query, or another ``where``, is answered with a 400 as ODSQL errors are; another
dataset with a 404.
"""

from __future__ import annotations

import csv
import json
import re

from tests.sites import FIXTURES, FixtureSite, Received, Reply

FILES = sorted(p.name for p in (FIXTURES / "awards").glob("decp*.json"))
BASE = "https://decp.example.invalid/decp"
ERROR_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


def truncated() -> bytes:
    body = (FIXTURES / "awards" / "decp2022_gip-maximilien_13001845000028_2024-10-06.json")
    data = body.read_bytes()
    return data[: len(data) // 2]


def large(copies: int) -> bytes:
    """The 2019 PES file with its records repeated ``copies`` times."""
    data = (FIXTURES / "awards" / "decp2019_data.gouv.fr_pes_2019-04-05_excerpt.json").read_bytes()
    start, end = data.index(b"[") + 1, data.rindex(b"]")
    records = data[start:end].strip()
    return data[:start] + b",".join([records] * copies) + data[end:]


EXPORT = FIXTURES / "awards" / "decp2022_ods_decp-2022-marches-valides_exports_csv_excerpt.csv"
EXPORT_PATH = r"/api/explore/v2\.1/catalog/datasets/([^/]+)/exports/csv"
DATASET = "decp-2022-marches-valides"
_BOUND = re.compile(r"datepublicationdonnees (>=|<) date'(\d{4}-\d{2}-\d{2})'")
_RECORDED_QUERY = {"lang": "en", "timezone": "Europe/Paris", "use_labels": "true",
                   "delimiter": ";"}


def export_lines(body: bytes | None = None) -> tuple[bytes, list[bytes]]:
    """(header line, row lines) of the recorded export, each with its CRLF."""
    lines = (EXPORT.read_bytes() if body is None else body).splitlines(keepends=True)
    return lines[0], lines[1:]


def published(line: bytes, header: bytes) -> str:
    """A row's ``datePublicationDonnees``."""
    names = next(csv.reader([header.decode("utf-8-sig")], delimiter=";"))
    values = next(csv.reader([line.decode()], delimiter=";"))
    return values[names.index("datePublicationDonnees")]


class DatasetSite(FixtureSite):
    """The dataset's export, holding ``rows`` (default: the recorded ones)."""

    def __init__(self, rows: list[bytes] | None = None) -> None:
        super().__init__()
        self.header, recorded = export_lines()
        self.rows = recorded if rows is None else rows
        self.add("GET", EXPORT_PATH, self.export)

    @staticmethod
    def error(status: int, code: str, message: str) -> Reply:
        return Reply.json(json.dumps({"error_code": code, "message": message}).encode(), status)

    def export(self, request: Received) -> Reply:
        dataset = re.fullmatch(EXPORT_PATH, request.path).group(1)  # type: ignore[union-attr]
        if dataset != DATASET:
            return self.error(404, "DatasetNotFound", f"Unknown dataset: {dataset}")
        query = {k: v[0] for k, v in request.query.items() if k != "where"}
        if query != _RECORDED_QUERY:
            return self.error(400, "InvalidRESTParameterError", f"not recorded: {query}")
        rows = self.rows
        where = request.param("where")
        if where is not None:
            bounds = [_BOUND.fullmatch(part) for part in where.split(" AND ")]
            if not all(bounds) or len(bounds) > 2:
                return self.error(400, "ODSQLError", f"not understood here: {where}")
            for bound in bounds:
                op, day = bound.groups()  # type: ignore[union-attr]
                rows = [r for r in rows if (published(r, self.header) >= day) == (op == ">=")]
        return Reply(200, self.header + b"".join(rows),
                     {"Content-Type": "text/csv; charset=utf-8"})


def site(large_copies: int = 2) -> FixtureSite:
    served = DatasetSite()

    def answer(request: Received) -> Reply:
        name = request.path.rsplit("/", 1)[-1]
        if name == "error.json":
            return Reply(200, ERROR_PAGE, {"Content-Type": "text/html"})
        if name == "truncated.json":
            return Reply.json(truncated())
        if name == "large.json":
            return Reply.json(large(large_copies))
        if name in FILES:
            return Reply.json((FIXTURES / "awards" / name).read_bytes())
        return Reply(404, b"not found", {"Content-Type": "text/plain"})

    served.add("GET", r"/decp/[^/]+", answer)
    # the same files again, as a consolidated set republishes the buyers' ones
    served.add("GET", r"/decp/consolidated/[^/]+", answer)
    return served


REPLAY = {"args": {"urls": ",".join(f"{BASE}/{name}" for name in FILES)}}
