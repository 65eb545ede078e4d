"""2,000 listing pages over two sources, derived in code from recorded real responses.

- career site (spider ``jobposting``): a sitemap index, two sitemaps of 500 job pages each
  (sitemaps.org format), every page the real Neura JobPosting page (tests/fixtures/jobs) with
  its identifier set to the page's number;
- Greenhouse (spider ``greenhouse``): 1,000 boards, each the recorded codepath board list
  reduced to its first job, whose id is set to the board's number.
"""

from __future__ import annotations

import json

from tests.sites import FixtureSite, Received, Reply, fixture
from tests.sites.jobposting import neura_variant

PAGES_PER_SITEMAP = 500
SITEMAPS = 2
BOARDS = 1000


def job_id(number: int) -> str:
    return f"job-{number:05d}"


def board(number: int) -> str:
    return f"board{number:04d}"


def greenhouse_id(number: int) -> int:
    return 9_000_000 + number


class MassSite(FixtureSite):
    def __init__(self) -> None:
        super().__init__()
        self.add("GET", r"/careers/sitemap_index\.xml", self.sitemap_index)
        self.add("GET", r"/careers/sitemap-(\d+)\.xml", self.sitemap)
        self.add("GET", r"/careers/offer/(\d+)", self.job_page)
        self.add("GET", r"/v1/boards/board(\d+)/jobs", self.board)
        self.board_job = json.loads(fixture(
            "jobs/greenhouse_codepath_jobs_list_2024-08-05.json"))["jobs"][0]

    @staticmethod
    def base(request: Received) -> str:
        return f"http://{request.headers.get('Host', 'localhost')}"

    def sitemap_index(self, request: Received) -> Reply:
        entries = "".join(f"<sitemap><loc>{self.base(request)}/careers/sitemap-{n}.xml</loc>"
                          "</sitemap>" for n in range(SITEMAPS))
        return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{entries}</sitemapindex>")

    def sitemap(self, request: Received) -> Reply:
        n = int(request.path.rsplit("-", 1)[1].split(".")[0])
        first = n * PAGES_PER_SITEMAP
        entries = "".join(f"<url><loc>{self.base(request)}/careers/offer/{i}</loc>"
                          f"<lastmod>2026-11-20</lastmod></url>"
                          for i in range(first, first + PAGES_PER_SITEMAP))
        return _xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
                    "</urlset>")

    def job_page(self, request: Received) -> Reply:
        number = int(request.path.rsplit("/", 1)[1])
        return Reply.html(neura_variant("as recorded", job_id(number)))

    def board(self, request: Received) -> Reply:
        number = int(request.path.split("/")[3].removeprefix("board"))
        job = dict(self.board_job, id=greenhouse_id(number),
                   absolute_url=f"https://boards.greenhouse.io/{board(number)}/jobs/"
                                f"{greenhouse_id(number)}")
        return Reply.json(json.dumps({"jobs": [job], "meta": {"total": 1}}).encode())


def _xml(text: str) -> Reply:
    return Reply(200, text.encode(), {"Content-Type": "application/xml"})


def expected_listings() -> set[tuple[str, str]]:
    jobs = {("jobposting", job_id(i)) for i in range(PAGES_PER_SITEMAP * SITEMAPS)}
    boards = {("greenhouse", str(greenhouse_id(i))) for i in range(BOARDS)}
    return jobs | boards
