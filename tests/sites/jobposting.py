"""A career site serving the recorded real JobPosting pages (tests/fixtures/jobs).

The two job pages are real JSON-LD (PROVENANCE.md), served at the paths their hosts use:
``jobs.neura-robotics.com/offer/...`` is the posting's own ``url``; the Meta page sits at the
``www.metacareers.com/profile/job_details/...`` URL its fixture's author pairs it with
(colophon-group/jobseek, apps/crawler tests, TestMetaCareersFixture).

Built here, not recorded (no real sample exists, PROVENANCE "Not found"):
- robots.txt and the sitemaps follow the sitemaps.org protocol (robots.txt ``Sitemap:`` line,
  ``<sitemapindex>`` and ``<urlset>`` with ``<loc>``/``<lastmod>``);
- the broken JSON-LD pages are the real Neura page with its block altered the way real sites
  break it (entity-encoded, trailing commas, cut short) and its identifier changed so each
  is a posting of its own.
"""

from __future__ import annotations

import html
import re

from tests.sites import FixtureSite, Received, Reply, fixture

NEURA_PATH = "/offer/manager-ecosystem-integration-certi/00df0928-b013-448c-b3dd-6c6fb80eadc2"
META_PATH = "/profile/job_details/677160418622314"
NEURA_ID = "00df0928-b013-448c-b3dd-6c6fb80eadc2"
_BLOCK = re.compile(rb'(<script type="application/ld\+json">)(.*?)(</script>)', re.S)


def neura_variant(kind: str, identifier: str) -> bytes:
    """The real Neura page with its JSON-LD block broken as ``kind`` says."""
    page = fixture("jobs/jsonld_neura_robotics_manager.html")
    match = _BLOCK.search(page)
    assert match is not None
    block = match.group(2).decode().replace(NEURA_ID, identifier)
    if kind == "entities":  # the whole block HTML-escaped, as some CMS templates emit it
        block = html.escape(block, quote=True)
    elif kind == "trailing-commas":
        block = block.replace('"DE"}}]', '"DE",},},]').rstrip().removesuffix("}") + ",}"
    elif kind == "cut":  # truncated: no safe repair exists
        block = block[: len(block) // 2]
    return page[:match.start(2)] + block.encode() + page[match.end(2):]


def french_page(title: str, encoding: str) -> bytes:
    """The real Neura page with a French title, written in ``encoding``: served as UTF-8
    whatever it is, it is a page whose charset is misdeclared (older French sites)."""
    page = fixture("jobs/jsonld_neura_robotics_manager.html").decode()
    return page.replace("Manager Ecosystem Integration & Certification (Human)",
                        title).encode(encoding)


class CareerSite(FixtureSite):
    """robots.txt → sitemap index → job and other sitemaps → job pages.

    ``jobs`` maps a job page path to its ``lastmod``; drop one to make a job disappear.
    """

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, str] = {
            NEURA_PATH: "2025-11-06",
            META_PATH: "2025-06-10",
            "/offer/entity-encoded/0001": "2025-11-07",
            "/offer/trailing-commas/0002": "2025-11-08",
            "/offer/cut-short/0003": "2025-11-09",
        }
        self.add("GET", r"/robots\.txt", self.robots)
        self.add("GET", r"/sitemap_index\.xml", self.sitemap_index)
        self.add("GET", r"/sitemap-jobs\.xml", self.job_sitemap)
        self.add("GET", r"/sitemap-pages\.xml", self.page_sitemap)
        self.add("GET", NEURA_PATH, Reply.html(fixture("jobs/jsonld_neura_robotics_manager.html")))
        self.add("GET", META_PATH, Reply.html(fixture("jobs/jsonld_meta_software_engineer.html")))
        self.add("GET", r"/offer/entity-encoded/0001",
                 Reply.html(neura_variant("entities", "0001")))
        self.add("GET", r"/offer/trailing-commas/0002",
                 Reply.html(neura_variant("trailing-commas", "0002")))
        self.add("GET", r"/offer/cut-short/0003", Reply.html(neura_variant("cut", "0003")))
        self.add("GET", r"/about", Reply.html(b"<html><body>About us</body></html>"))

    @staticmethod
    def base(request: Received) -> str:
        return f"http://{request.headers.get('Host', 'localhost')}"

    def robots(self, request: Received) -> Reply:
        body = ("User-agent: *\nDisallow: /private/\n\n"
                f"Sitemap: {self.base(request)}/sitemap_index.xml\n")
        return Reply(200, body.encode(), {"Content-Type": "text/plain"})

    def sitemap_index(self, request: Received) -> Reply:
        base = self.base(request)
        entries = "".join(f"<sitemap><loc>{base}/{name}</loc></sitemap>"
                          for name in ("sitemap-jobs.xml", "sitemap-pages.xml"))
        return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{entries}</sitemapindex>")

    def job_sitemap(self, request: Received) -> Reply:
        base = self.base(request)
        entries = "".join(f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></url>"
                          for path, lastmod in self.jobs.items())
        return _xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
                    "</urlset>")

    def page_sitemap(self, request: Received) -> Reply:
        return _xml('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{self.base(request)}/about</loc></url></urlset>")


def _xml(text: str) -> Reply:
    return Reply(200, ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode(),
                 {"Content-Type": "application/xml"})


def site() -> CareerSite:
    return CareerSite()


# The bundled replay: the two real job pages at their real URLs.
REPLAY = {
    "args": {"urls": f"https://jobs.neura-robotics.com{NEURA_PATH},"
                     f"https://www.metacareers.com{META_PATH}"},
}
