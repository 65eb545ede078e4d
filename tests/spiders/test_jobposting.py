"""Career-page spider: JobPosting extraction on the recorded real pages and the shapes real
sites give, sitemap discovery, then real crawls of tests/sites/jobposting.py on 127.0.0.1.

No real sitemap or robots.txt sample exists (PROVENANCE "Not found"): the ones here follow
the sitemaps.org protocol and are written in this file or in tests/sites/jobposting.py. The
variant pages are the real Neura JSON-LD block reshaped the way real sites shape it (each
test says how); the microdata page carries the same real values as microdata.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from aggregator.crawling.runner import CrawlRequest, run_crawl
from aggregator.normalize import normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.models import Listing
from aggregator.store.runs import get_run
from spiders.jobposting import JobPostingSpider, Site
from tests.sites import FixtureSite, Reply, fixture, serve
from tests.sites.jobposting import (
    META_PATH,
    NEURA_PATH,
    CareerSite,
    french_page,
    neura_variant,
)

NEURA_URL = f"https://jobs.neura-robotics.com{NEURA_PATH}"
META_URL = f"https://www.metacareers.com{META_PATH}"
NEURA_HTML = fixture("jobs/jsonld_neura_robotics_manager.html")
META_HTML = fixture("jobs/jsonld_meta_software_engineer.html")
NEURA = json.loads(re.search(rb"<script[^>]*>(.*?)</script>", NEURA_HTML, re.S).group(1))
META = json.loads(re.search(rb"<script[^>]*>(.*?)</script>", META_HTML, re.S).group(1))
CRAWLED = datetime(2025, 11, 15, 8, 0, tzinfo=UTC)


def make_spider(**args) -> JobPostingSpider:
    crawler = get_crawler(JobPostingSpider, {})
    return crawler._create_spider(**args)


def site(scope: str = "jobs.example.org", spider: JobPostingSpider | None = None,
         **options) -> Site:
    """A site; with ``spider``, registered in it as start() does (callbacks get its scope)."""
    made = Site(scope=scope, root="https://jobs.example.org", **options)
    if spider is not None:
        spider.sites_by_scope[made.scope] = made
    return made


def items_of(html: bytes, url: str = "https://jobs.example.org/jobs/1", spider=None):
    spider = spider or make_spider()
    response = HtmlResponse(url, body=html, request=Request(url))
    return spider, list(spider.postings(response, site()))


def page_with(*blocks: object, head: str = "") -> bytes:
    texts = [b if isinstance(b, str) else json.dumps(b) for b in blocks]
    scripts = "".join(f'<script type="application/ld+json">{t}</script>' for t in texts)
    return f"<!DOCTYPE html><html><head>{head}{scripts}</head><body></body></html>".encode()


# -- the recorded pages, every mapped field -----------------------------------------------

def test_neura_page_fields():
    _, (item,) = items_of(NEURA_HTML, NEURA_URL)
    item = dict(item)
    assert item.pop("raw") == NEURA
    assert item.pop("description") == NEURA["description"]
    assert item == {
        "kind": "job", "source": "jobposting",
        "source_id": "jobs.example.org:00df0928-b013-448c-b3dd-6c6fb80eadc2",
        "url": NEURA_URL,
        "title": "Manager Ecosystem Integration & Certification (Human)",
        "organization": "Neura Robotics GmbH",
        "published_at": "2025-11-06T00:00:00+01:00", "modified_at": None,
        "deadline_at": "2035-11-06T00:00:00+01:00",
        "location": "Metzingen", "postal_code": None, "country": "DE",
        "latitude": None, "longitude": None, "remote": None,
        "contract_type": None, "working_time": None, "salary": None,
        "status": "open", "scope": "jobs.example.org",
        "match_keys": [
            # the page's identifier: the ATS reference, wherever the offer is relayed
            "job-ref:00df0928b013448cb3dd6c6fb80eadc2|"
            "manager ecosystem integration certification human",
            "job:neura robotics|manager ecosystem integration certification human|metzingen",
            "job-text:manager ecosystem integration certification human|metzingen|"
            "56d6432a7eb6848d"],
        "extra": None,
    }


def test_meta_page_fields():
    _, (item,) = items_of(META_HTML, META_URL)
    item = dict(item)
    assert item.pop("raw") == META
    description = item.pop("description")
    assert description.startswith(META["description"] + "\n<h3>Responsibilities</h3><p>"
                                  "Collaborate with cross-functional teams")
    assert "<h3>Qualifications</h3><p>Bachelor's degree" in description
    assert item == {
        "kind": "job", "source": "jobposting",
        "source_id": META_URL,  # no identifier, no url: the page's own URL
        "url": META_URL,
        "title": "Software Engineer, Infrastructure", "organization": "Meta",
        "published_at": "2025-06-10T13:07:44-07:00", "modified_at": None,
        "deadline_at": "2026-06-08T12:50:57-07:00",
        "location": "Sunnyvale, CA", "postal_code": None,
        "country": "USA",  # a Country whose name is a list of ten "USA"
        "latitude": None, "longitude": None, "remote": None,
        "contract_type": "Full-time", "working_time": "Full-time", "salary": None,
        "status": "open", "scope": "jobs.example.org",
        "match_keys": [
            "job:meta|software engineer infrastructure|sunnyvale",
            "job-text:software engineer infrastructure|sunnyvale|7a397fb432c45f66"],
        "extra": {"locations": ["Sunnyvale, CA", "Bellevue, WA", "Redmond, WA", "Austin, TX",
                                "Menlo Park, CA", "Seattle, WA", "Burlingame, CA",
                                "Remote, US", "New York, NY"],
                  "directApply": True},
    }


def test_recorded_pages_normalise():
    _, (neura,) = items_of(NEURA_HTML, NEURA_URL)
    _, (meta,) = items_of(META_HTML, META_URL)
    n = normalize_listing(neura, crawled_at=CRAWLED)
    m = normalize_listing(meta, crawled_at=CRAWLED)
    assert (n["city"], n["country"], n["remote"]) == ("Metzingen", "DE", False)
    # "valid through" 2035 for an offer of 2025: no deadline (normalize.listing)
    assert n["deadline_at"] is None
    assert datetime.fromisoformat(n["details"]["valid_through"]) == datetime(
        2035, 11, 5, 23, 0, tzinfo=UTC)
    assert n["description"].startswith("Your mission & challenges\nAs the Manager")
    assert (m["city"], m["country"], m["working_time"]) == ("Sunnyvale", "US", "full_time")
    assert m["published_at"] == datetime(2025, 6, 10, 20, 7, 44, tzinfo=UTC)
    assert m["deadline_at"] == datetime(2026, 6, 8, 19, 50, 57, tzinfo=UTC)
    assert "&nbsp;" not in m["description"]


# -- the shapes real sites give -------------------------------------------------------------

def _neura(**changes) -> dict:
    posting = copy.deepcopy(NEURA)
    for key, value in changes.items():
        if value is None:
            posting.pop(key, None)
        else:
            posting[key] = value
    return posting


def test_graph_type_lists_arrays_and_nesting():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "name": "Neura Robotics GmbH"},
        _neura(**{"@type": ["JobPosting", "Thing"], "identifier": "A1"})]}
    array = [_neura(identifier="A2"), {"@type": "BreadcrumbList"}]
    nested = {"@type": "WebPage", "mainEntity": _neura(identifier="A3")}
    _, items = items_of(page_with(graph, array, nested))
    assert [i["source_id"] for i in items] == ["jobs.example.org:A1", "jobs.example.org:A2",
                                               "jobs.example.org:A3"]


def test_broken_json_is_repaired_or_dropped_with_a_reason():
    spider, items = items_of(neura_variant("entities", "E1"))
    assert [i["source_id"] for i in items] == ["jobs.example.org:E1"]
    assert items[0]["title"] == "Manager Ecosystem Integration & Certification (Human)"
    spider, items = items_of(neura_variant("trailing-commas", "T1"), spider=spider)
    assert [i["source_id"] for i in items] == ["jobs.example.org:T1"]
    assert items[0]["country"] == "DE"
    # wrapped in an HTML comment, with a JavaScript \' escape and a raw tab
    block = json.dumps(_neura(identifier="W1", title="Chef d'équipe"),
                       ensure_ascii=False).replace(
        "Chef d'équipe", "Chef d\\'\téquipe")
    spider, items = items_of(page_with(f"<!--\n{block}\n-->"), spider=spider)
    assert items[0]["title"] == "Chef d'\téquipe"
    spider, items = items_of(neura_variant("cut", "C1"), spider=spider)
    assert items == []
    stats = spider.crawler.stats.get_stats()
    assert stats["aggregator/dropped/unreadable JSON-LD"] == 1
    assert stats["aggregator/jobposting/jsonld_repaired/entities"] == 1
    assert stats["aggregator/jobposting/jsonld_repaired/syntax"] == 2  # commas; the \' escape


def test_a_broken_block_that_is_no_posting_is_not_a_dropped_listing():
    spider, items = items_of(page_with('{"@type": "Organization", "name": ', NEURA))
    assert len(items) == 1
    assert spider.crawler.stats.get_value("aggregator/dropped/unreadable JSON-LD") is None


@pytest.mark.parametrize("country, expected", [
    ("DE", "DE"), ("Germany", "Germany"), ({"@type": "Country", "name": "DE"}, "DE"),
    ({"@type": "Country", "name": ["Deutschland", "Germany"]}, "Deutschland"),
])
def test_address_country_shapes(country, expected):
    location = {"@type": "Place", "address": {"@type": "PostalAddress",
                                              "addressLocality": "Metzingen",
                                              "postalCode": "72555",
                                              "addressCountry": country}}
    _, (item,) = items_of(page_with(_neura(jobLocation=location)))
    assert (item["country"], item["postal_code"], item["location"]) == (
        expected, "72555", "Metzingen")
    assert normalize_listing(item, crawled_at=CRAWLED)["country"] == "DE"


@pytest.mark.parametrize("employment, contract", [
    ("FULL_TIME", None), (["FULL_TIME", "CONTRACTOR"], "freelance"), ("INTERN", "internship"),
    ("Full-time", None), (["PART_TIME", "TEMPORARY"], "cdd"),
])
def test_employment_type_string_or_list(employment, contract):
    _, (item,) = items_of(page_with(_neura(employmentType=employment)))
    assert item["contract_type"] == employment and item["working_time"] == employment
    assert normalize_listing(item, crawled_at=CRAWLED)["contract_type"] == contract


def test_telecommute_and_geo():
    posting = _neura(jobLocationType="TELECOMMUTE", applicantLocationRequirements={
        "@type": "Country", "name": "FR"}, jobLocation=None)
    _, (item,) = items_of(page_with(posting))
    # raw, as the page says it: the normaliser reads the word (parse_remote)
    assert item["remote"] == "TELECOMMUTE"
    # no city: only the reference key (the page's identifier) can link it
    assert item["location"] is None and [k.split(":")[0] for k in item["match_keys"]] == [
        "job-ref"]
    assert normalize_listing(item, crawled_at=CRAWLED)["remote"] is True
    geo = {"@type": "Place", "geo": {"@type": "GeoCoordinates", "latitude": "48.5367",
                                     "longitude": 9.2846},
           "address": "Metzingen"}
    _, (item,) = items_of(page_with(_neura(jobLocation=[geo])))
    assert (item["location"], item["latitude"], item["longitude"]) == (
        "Metzingen", "48.5367", "9.2846")


@pytest.mark.parametrize("salary, expected", [
    ({"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "minValue": 55000, "maxValue": 70000,
        "unitText": "YEAR"}}, (55000.0, 70000.0, "EUR", "year")),
    ({"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "value": 21.5, "unitText": "HOUR"}},
     (21.5, 21.5, "EUR", "hour")),
    ("45 000 € par an", (45000.0, 45000.0, "EUR", "year")),
])
def test_base_salary_shapes(salary, expected):
    _, (item,) = items_of(page_with(_neura(baseSalary=salary)))
    assert item["salary"] == salary
    record = normalize_listing(item, crawled_at=CRAWLED)
    assert (record["salary_min"], record["salary_max"], record["salary_currency"],
            record["salary_period"]) == expected


def test_html_description_and_entities_are_left_to_the_normaliser():
    posting = _neura(description="&lt;p&gt;Pilotez l&amp;#39;intégration&lt;/p&gt;")
    _, (item,) = items_of(page_with(posting))
    assert item["description"] == "&lt;p&gt;Pilotez l&amp;#39;intégration&lt;/p&gt;"
    assert normalize_listing(item, crawled_at=CRAWLED)["description"] == \
        "Pilotez l'intégration"


def test_source_id_without_identifier_is_the_canonical_url():
    posting = _neura(identifier=None, url=None)
    head = '<link rel="canonical" href="/jobs/metzingen-manager">'
    _, (item,) = items_of(page_with(posting, head=head),
                          url="https://jobs.example.org/jobs/metzingen-manager?utm_source=x")
    assert item["source_id"] == item["url"] == "https://jobs.example.org/jobs/metzingen-manager"
    # several postings on one page, without id or url: one listing each
    _, items = items_of(page_with([posting, _neura(identifier=None, url=None, title="B")],
                                  head=head))
    assert [i["source_id"] for i in items] == [
        "https://jobs.example.org/jobs/metzingen-manager#0",
        "https://jobs.example.org/jobs/metzingen-manager#1"]


def test_a_posting_that_cannot_be_read_is_dropped_and_the_page_goes_on():
    broken = _neura(identifier="B1", jobLocation={"@type": "Place", "address": 42})
    spider = make_spider()
    s = site(spider=spider)
    url = "https://jobs.example.org/jobs/1"
    response = HtmlResponse(url, body=page_with([broken, _neura(identifier="G1")]),
                            request=Request(url))
    items = list(spider.postings(response, s))
    assert [i["source_id"] for i in items] == ["jobs.example.org:G1"]
    assert spider.crawler.stats.get_value(
        "aggregator/dropped/unreadable record (AttributeError)") == 1
    # a job that could not be read is not gone: nothing of the site may expire
    assert s.scope in spider.scopes.incomplete and spider.partial


def test_a_posting_without_title_is_dropped_with_a_reason():
    spider, items = items_of(page_with(_neura(title=None)))
    assert items == []
    assert spider.crawler.stats.get_value("aggregator/dropped/JobPosting without title") == 1


def test_microdata():
    html = f"""<html><body>
    <div itemscope itemtype="https://schema.org/JobPosting">
      <h1 itemprop="title">{NEURA['title'].replace('&', '&amp;')}</h1>
      <meta itemprop="datePosted" content="{NEURA['datePosted']}">
      <meta itemprop="validThrough" content="{NEURA['validThrough']}">
      <span itemprop="employmentType">FULL_TIME</span>
      <div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">
        <span itemprop="name">{NEURA['hiringOrganization']['name']}</span></div>
      <div itemprop="identifier" itemscope itemtype="https://schema.org/PropertyValue">
        <meta itemprop="name" content="id"><meta itemprop="value" content="{NEURA_PATH[-36:]}">
      </div>
      <div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">
        <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
          <span itemprop="addressLocality">Metzingen</span>
          <span itemprop="addressCountry">DE</span></div></div>
      <div itemprop="description"><p>You bring structure, precision.</p></div>
    </div></body></html>""".encode()
    _, (item,) = items_of(html)
    assert {k: item[k] for k in ("source_id", "title", "organization", "published_at",
                                 "deadline_at", "location", "country", "contract_type")} == {
        "source_id": "jobs.example.org:00df0928-b013-448c-b3dd-6c6fb80eadc2",
        "title": NEURA["title"], "organization": "Neura Robotics GmbH",
        "published_at": NEURA["datePosted"], "deadline_at": NEURA["validThrough"],
        "location": "Metzingen", "country": "DE", "contract_type": "FULL_TIME"}
    assert "You bring structure, precision." in item["description"]


# -- discovery --------------------------------------------------------------------------------

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def xml(url: str, text: str) -> XmlResponse:
    return XmlResponse(url, body=f'<?xml version="1.0" encoding="UTF-8"?>{text}'.encode(),
                       request=Request(url))


def test_robots_sitemap_lines_then_default():
    spider = make_spider(urls="https://jobs.example.org/")
    (s,) = spider.sites()
    assert s.discover and s.scope == "jobs.example.org"
    spider.sites_by_scope[s.scope] = s
    spider.scopes.started(s.scope)
    robots = TextResponse("https://jobs.example.org/robots.txt", request=Request(
        "https://jobs.example.org/robots.txt"), body=b"User-agent: *\nDisallow: /x\n"
        b"Sitemap: https://jobs.example.org/sitemaps/jobs.xml\nSitemap: /sitemap-fr.xml\n")
    found = list(spider.parse_robots(robots, s.scope))
    assert [r.url for r in found] == [
        "https://jobs.example.org/sitemaps/jobs.xml", "https://jobs.example.org/sitemap-fr.xml"]
    # what a request carries: the scope's name, not the Site (pickled into a distributed
    # crawl's queue for every page of the site)
    assert found[0].cb_kwargs == {"scope": "jobs.example.org"}
    spider.scopes.started(s.scope)
    none = TextResponse("https://jobs.example.org/robots.txt", status=404, body=b"",
                        request=Request("https://jobs.example.org/robots.txt"))
    assert [r.url for r in spider.parse_robots(none, s.scope)] == [
        "https://jobs.example.org/sitemap.xml"]


def test_sitemap_index_urlset_patterns_and_lastmod():
    spider = make_spider(since="2025-11-01")
    s = site(spider=spider, include=[re.compile(r"/offer/")])
    spider.since = spider.lastmod_thresholds([s])
    spider.scopes.started(s.scope)
    spider.scopes.started(s.scope)
    index = xml("https://jobs.example.org/sitemap.xml",
                f"<sitemapindex {SITEMAP_NS}><sitemap><loc>/sitemap-1.xml</loc>"
                "<lastmod>2025-11-10</lastmod></sitemap><sitemap><loc>"
                "https://jobs.example.org/sitemap-old.xml</loc><lastmod>2024-01-01</lastmod>"
                "</sitemap></sitemapindex>")
    assert [r.url for r in spider.parse_sitemap(index, s.scope)] == [
        "https://jobs.example.org/sitemap-1.xml"]
    urlset = xml("https://jobs.example.org/sitemap-1.xml",
                 f"<urlset {SITEMAP_NS}>"
                 "<url><loc>https://jobs.example.org/offer/a</loc><lastmod>2025-11-10T10:00:00+01:00"
                 "</lastmod></url>"
                 "<url><loc>https://jobs.example.org/offer/b</loc><lastmod>2025-10-01</lastmod>"
                 "</url>"
                 "<url><loc>https://jobs.example.org/offer/c</loc></url>"
                 "<url><loc>https://jobs.example.org/about</loc></url></urlset>")
    assert [r.url for r in spider.parse_sitemap(urlset, s.scope)] == [
        "https://jobs.example.org/offer/a", "https://jobs.example.org/offer/c"]
    assert spider.crawler.stats.get_value("aggregator/jobposting/unchanged_pages_skipped") == 2
    # skipped pages: this crawl cannot expire anything
    assert s.scope in spider.scopes.incomplete


def test_default_job_path_filter():
    s = site()
    assert [s.wanted(u) for u in (
        "https://x.org/jobs/123", "https://x.org/fr/offres/cariste-h-f", "https://x.org/careers",
        "https://x.org/emploi/123", "https://x.org/about", "https://x.org/blog/hiring-news",
        "https://x.org/stellenangebote/9")] == [True, True, True, True, False, False, True]


def test_sites_from_the_configuration(tmp_path, monkeypatch):
    config = tmp_path / "aggregator.toml"
    config.write_text(
        '[sources.jobposting]\nsites = [\n  "https://careers.example.org",\n'
        '  { url = "https://jobs.example.com", name = "example", '
        'sitemap = "https://jobs.example.com/jobs.xml", include = ["/offer/"], '
        'exclude = ["/offer/internal-"] },\n'
        '  { listing = "https://www.example.net/carrieres" },\n]\n', encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    spider = make_spider()
    a, b, c = spider.sites()
    assert (a.scope, a.root, a.sitemaps, a.listings) == (
        "careers.example.org", "https://careers.example.org", [], [])
    assert (b.scope, b.sitemaps, b.wanted("https://jobs.example.com/offer/1"),
            b.wanted("https://jobs.example.com/offer/internal-1")) == (
        "example", ["https://jobs.example.com/jobs.xml"], True, False)
    assert (c.scope, c.listings) == ("www.example.net", ["https://www.example.net/carrieres"])
    assert [r.url for r in spider.site_requests(a)] == ["https://careers.example.org/robots.txt"]


def _configured(tmp_path, monkeypatch, text: str) -> None:
    config = tmp_path / "aggregator.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))


TWO_SITES = ('[sources.jobposting]\nsites = ["https://careers.example.org", '
             '"https://jobs.example.com"]\n')


def test_a_site_with_nothing_stored_is_read_whole(tmp_path, monkeypatch):
    """The newest stored job is a per-site matter: a site added since the last crawl has
    none, and must not skip its older pages because another site has recent ones."""
    _configured(tmp_path, monkeypatch, TWO_SITES)
    with time_machine.travel(datetime(2025, 11, 15, 8, 0, tzinfo=UTC), tick=False):
        spider = make_spider()
        spider.last_published_at = datetime(2025, 11, 10, 9, 0, tzinfo=UTC)  # the source's
        spider.last_published_by_scope = {
            "careers.example.org": datetime(2025, 11, 10, 9, 0, tzinfo=UTC)}
        thresholds = spider.lastmod_thresholds(spider.sites())
    assert thresholds == {"careers.example.org": date(2025, 11, 9), "jobs.example.com": None}
    assert json.loads(spider.run_args["since_by_scope"]) == {"careers.example.org": "2025-11-09"}
    new = site("jobs.example.com", spider=spider)
    spider.since = thresholds
    spider.scopes.started(new.scope)
    old_page = xml("https://jobs.example.com/sitemap.xml",
                   f"<urlset {SITEMAP_NS}><url><loc>https://jobs.example.com/jobs/1</loc>"
                   "<lastmod>2024-01-01</lastmod></url></urlset>")
    assert [r.url for r in spider.parse_sitemap(old_page, new.scope)] == [
        "https://jobs.example.com/jobs/1"]
    # a replay (or a distributed worker, whose arguments are text) given the recorded
    # thresholds asks the same, whatever its store holds
    replayed = make_spider(since_by_scope=str(spider.run_args["since_by_scope"]))
    replayed.last_published_by_scope = {"jobs.example.com": datetime(2025, 11, 1, tzinfo=UTC)}
    assert replayed.lastmod_thresholds(replayed.sites()) == thresholds


@pytest.mark.parametrize("sites, problem", [
    ('[{ url = "https://x.org", include = ["/offre/(" ] }]',
     "[sources.jobposting] sites: include pattern '/offre/(' is not a regular expression "
     "(missing ), unterminated subpattern at position 7)"),
    ("[42]", "[sources.jobposting] sites: 42 is neither a URL nor a table"),
    ('[{ name = "x" }]', "[sources.jobposting] sites: {'name': 'x'} has no url, sitemap or "
                         "listing"),
    ('[{ url = "https://x.org", exclude = [1] }]',
     "[sources.jobposting] sites: exclude pattern 1 must be text"),
])
def test_unusable_site_entries_are_a_configuration_problem(tmp_path, monkeypatch, sites,
                                                           problem):
    from aggregator.config import load_config

    _configured(tmp_path, monkeypatch, f"[sources.jobposting]\nsites = {sites}\n")
    config = load_config().source("jobposting")
    assert JobPostingSpider.configuration_problem(config, {}) == problem
    assert make_spider().sites() == []  # and start() never raises on them


def test_urls_in_the_configuration_are_crawled(tmp_path, monkeypatch):
    from aggregator.config import load_config

    _configured(tmp_path, monkeypatch, '[sources.jobposting]\nurls = ["https://x.org/"]\n')
    assert JobPostingSpider.configuration_problem(load_config().source("jobposting"),
                                                  {}) is None
    (found,) = make_spider().sites()
    assert (found.scope, found.discover) == ("x.org", True)
    # -a urls= overrides it for one run
    (given,) = make_spider(urls="https://y.org/jobs/1").sites()
    assert (given.scope, given.pages) == ("y.org", ["https://y.org/jobs/1"])


def test_listing_page_follows_job_links_and_next_page():
    spider = make_spider()
    s = site(spider=spider)
    spider.scopes.started(s.scope)
    url = "https://jobs.example.org/jobs"
    body = (b'<html><body><a href="/jobs/1">A</a><a href="https://jobs.example.org/jobs/2#x">B'
            b'</a><a href="https://other.org/jobs/3">C</a><a href="/about">D</a>'
            b'<a rel="next" href="/jobs?page=2">next</a></body></html>')
    out = list(spider.parse_listing(HtmlResponse(url, body=body, request=Request(url)),
                                    s.scope))
    assert [r.url for r in out] == ["https://jobs.example.org/jobs/1",
                                    "https://jobs.example.org/jobs/2",
                                    "https://jobs.example.org/jobs?page=2"]


def test_no_site_is_unconfigured():
    from aggregator.config import SourceConfig

    assert JobPostingSpider.configuration_problem(SourceConfig("jobposting"), {}) == (
        "no career sites configured ([sources.jobposting] sites, or -a urls=...)")
    assert JobPostingSpider.configuration_problem(SourceConfig("jobposting"),
                                                  {"urls": "https://x.org/"}) is None


# -- end to end ---------------------------------------------------------------------------------

def _crawl(base: str, url: str, **args: str) -> int:
    settings = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    run_id = run_crawl(CrawlRequest("jobposting", {"urls": f"{base}/", **args}, settings),
                       database_url=url, timeout=60)
    assert run_id is not None
    return run_id


@pytest.mark.slow
def test_crawl_a_career_site(store_url, engine):
    career = CareerSite()
    with serve(career) as base:
        run_id = _crawl(base, store_url)
    run_record = get_run(engine, run_id)
    assert run_record.outcome == "ok", run_record.error_summary
    assert run_record.complete
    assert run_record.items_new == 4
    assert run_record.dropped_reasons == {"unreadable JSON-LD": 1}
    assert run_record.stats["aggregator/jobposting/jsonld_repaired/entities"] == 1
    assert run_record.stats["aggregator/jobposting/jsonld_repaired/syntax"] == 1
    assert career.count(r"/about") == 0  # not a job page: never fetched
    scope = base.removeprefix("http://")  # the site's host: 127.0.0.1:PORT
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(Listing.__table__))}
    assert sorted(rows) == sorted([f"{scope}:00df0928-b013-448c-b3dd-6c6fb80eadc2",
                                   f"{scope}:0001", f"{scope}:0002", f"{base}{META_PATH}"])
    neura = rows[f"{scope}:00df0928-b013-448c-b3dd-6c6fb80eadc2"]
    assert (neura.title, neura.organization, neura.city, neura.country, neura.status,
            neura.scope, neura.url) == (
        "Manager Ecosystem Integration & Certification (Human)", "Neura Robotics GmbH",
        "Metzingen", "DE", "open", scope, NEURA_URL)  # the posting's own url


@pytest.mark.slow
def test_a_page_in_windows_1252_said_to_be_utf8_keeps_its_accents(sqlite_url):
    title = "Chef·fe de chantier électricité — Île-de-France"
    site = FixtureSite()
    site.add("GET", r"/robots\.txt", Reply(404, b""))
    site.add("GET", r"/offre/1", Reply.html(french_page(title, "cp1252")))  # charset=utf-8
    with serve(site) as base:
        run_id = run_crawl(CrawlRequest("jobposting", {"urls": f"{base}/offre/1"},
                                        {"DOWNLOAD_DELAY": "0"}),
                           database_url=sqlite_url, timeout=60)
    assert get_run(get_engine(sqlite_url), run_id).items_new == 1
    with get_engine(sqlite_url).connect() as conn:
        assert conn.execute(select(Listing.title)).scalar_one() == title


@pytest.mark.slow
def test_jobs_gone_from_two_complete_crawls_are_closed(sqlite_url):
    engine = get_engine(sqlite_url)
    career = CareerSite()

    def status() -> dict[str, tuple[str, int]]:
        with engine.connect() as conn:
            return {r.url.rsplit("/", 1)[-1]: (r.status, r.missed_crawls) for r in conn.execute(
                select(Listing.__table__))}

    with serve(career) as base:
        _crawl(base, sqlite_url, full="true")
        # the Meta posting's validThrough (2026-06-08) has passed: closed at once
        first = status()
        assert first.pop("677160418622314") == ("closed", 0)
        assert set(first.values()) == {("open", 0)}
        del career.jobs["/offer/entity-encoded/0001"]  # the job leaves the sitemap
        _crawl(base, sqlite_url, full="true")
        assert status()["0001"] == ("open", 1)
        # a crawl that could not read the job sitemap is partial: it closes nothing
        career.add("GET", r"/sitemap-jobs\.xml", Reply(500, b"down"), times=4)
        career.routes.insert(0, career.routes.pop())
        partial = get_run(engine, _crawl(base, sqlite_url, full="true"))
        assert (partial.outcome, partial.complete) == ("failed", False)
        assert status()["0001"] == ("open", 1)
        # (an incremental crawl, which skips unchanged pages, is not complete either:
        # test_sitemap_index_urlset_patterns_and_lastmod)
        _crawl(base, sqlite_url, full="true")
    final = status()
    assert final.pop("0001") == ("closed", 2)
    assert final.pop("677160418622314")[0] == "closed"
    assert set(final.values()) == {("open", 0)}


def test_a_page_robots_txt_forbids_leaves_the_site_incomplete_without_an_error(caplog):
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    spider = make_spider()
    s = site(spider=spider)
    (request,) = spider.follow(s, "https://jobs.example.org/jobs/1", spider.parse_page)
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = request
    spider.failed(failure)
    assert s.scope in spider.scopes.incomplete and spider.completed_scopes == set()
    assert spider.crawler.stats.get_value("aggregator/jobposting/forbidden_by_robots") == 1
    assert "ERROR" not in caplog.text and "not read (robots.txt)" in caplog.text
