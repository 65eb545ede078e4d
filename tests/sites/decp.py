"""DECP files served as their hosts serve them: the real recorded files (tests/fixtures/awards,
PROVENANCE.md) at ``/decp/<file name>`` and again at ``/decp/consolidated/<file name>``, and
the broken files a crawl must survive: an HTML error page, a file cut short (the real 2022
file truncated) and a file far larger than the others (real records repeated, the same
contracts again)."""

from __future__ import annotations

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


def site(large_copies: int = 2) -> FixtureSite:
    served = FixtureSite()

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
