"""Career pages: schema.org ``JobPosting`` (JSON-LD or microdata) on employers' own sites.

Which sites is configuration (``[sources.jobposting] sites = [...]``): each entry is a URL,
or a table with ``url`` and any of ``name`` (the scope; default the host), ``sitemap`` (one
or more sitemap URLs), ``listing`` (one or more listing pages), ``include`` / ``exclude``
(regular expressions on page URLs). ``urls`` (``-a urls=URL,URL``, or ``urls = [...]`` in the
configuration) crawls those pages, listing pages or sitemaps instead of ``sites``. Without
``sitemap`` or ``listing`` a site's sitemaps are found from robots.txt ``Sitemap:`` lines,
else ``/sitemap.xml``. Sitemap indexes are followed; page URLs are kept when they match
``include`` (default: job-like paths, ``JOB_PATHS``).

Incremental crawls skip a site's sitemap URLs whose ``lastmod`` is older than the day before
the site's newest stored job; a site with nothing stored yet (just added), a first crawl, or
``full=true`` reads them all. A site is *complete* (its jobs missing from it can expire) only
when every sitemap/listing page and job page of it was read without error and nothing was
skipped.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from aggregator.config import SourceConfig
from aggregator.i18n import N_, _
from spiders.base import ListingSpider
from spiders.base.job_keys import job_match_keys
from spiders.base.scopes import GONE_STATUSES, ScopeProgress
from spiders.base.structured_data import find_postings, microdata_postings, read_jsonld
from spiders.base.values import as_list, first_present

# Default page filter for sites without ``include``: the usual words of job-page paths.
JOB_PATHS = (r"(?i)/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:jobs?|careers?|carrieres?|emplois?|offres?"
             r"|offers?|postes?|positions?|openings?|vacanc[a-z]*|recrutement|stellen[a-z]*"
             r"|opportunit[a-z]*|join-us|nous-rejoindre)(?:[/_-]|$)")
DESCRIPTION_PARTS = (("responsibilities", "Responsibilities"),
                     ("qualifications", "Qualifications"), ("skills", "Skills"),
                     ("educationRequirements", "Education"),
                     ("experienceRequirements", "Experience"),
                     ("jobBenefits", "Benefits"))


@dataclass
class Site:
    scope: str
    root: str  # scheme://host of the site
    sitemaps: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # -a urls that are neither
    discover: bool = False  # find the sitemaps from robots.txt
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)

    def wanted(self, url: str) -> bool:
        patterns = self.include or [re.compile(JOB_PATHS)]
        return any(p.search(url) for p in patterns) and not any(
            p.search(url) for p in self.exclude)

    @property
    def listed(self) -> bool:
        """Whether this crawl reads a listing of the site (so it can be complete)."""
        return not self.pages


def _root(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _first_text(value: Any) -> str | None:
    """A text out of the shapes schema.org values take: str, list, {"name": ...}, @value."""
    for entry in as_list(value):
        if isinstance(entry, dict):
            entry = entry.get("name") or entry.get("@value") or entry.get("value")
            entry = _first_text(entry)
        if isinstance(entry, (str, int, float)) and not isinstance(entry, bool) \
                and str(entry).strip():
            return str(entry).strip()
    return None


def _identifier(value: Any) -> str | None:
    """identifier: a text, or a PropertyValue whose ``value`` is the id (``name`` names it)."""
    for entry in as_list(value):
        if isinstance(entry, dict):
            entry = entry.get("value") if entry.get("value") not in (None, "") \
                else entry.get("@value")
        text = _first_text(entry)
        if text:
            return text
    return None


def _looks_like_sitemap(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith((".xml", ".xml.gz")) or "sitemap" in path


class JobPostingSpider(ListingSpider):
    name = "jobposting"
    kind = "job"
    about = N_("employers' career pages with schema.org JobPosting (sitemaps, listing pages)")
    full_crawl_days = 7

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested: set[str] = set()
        self.scopes = ScopeProgress(self)
        self.sites_by_scope: dict[str, Site] = {}
        self.since: dict[str, date | None] = {}  # scope → lastmod threshold (None: read all)

    @classmethod
    def needs(cls) -> str | None:
        return _("sites (career site URLs), or -a urls=...")

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        if args.get("urls") or source_config.params.get("urls"):
            return None
        entries = source_config.params.get("sites")
        if not entries:
            return "no career sites configured ([sources.jobposting] sites, or -a urls=...)"
        for entry in as_list(entries):
            problem = _site_problem(entry)
            if problem:
                return f"[sources.jobposting] sites: {problem}"
        return None

    # -- configuration -----------------------------------------------------------------

    def sites(self) -> list[Site]:
        urls = self.list_param("urls")  # -a urls=..., else urls = [...] in the config
        if urls:
            by_host: dict[str, Site] = {}
            for url in urls:
                site = by_host.setdefault(_root(url), Site(scope=urlsplit(url).netloc.lower(),
                                                           root=_root(url)))
                if urlsplit(url).path in ("", "/"):
                    site.discover = True  # a site's home: find its sitemaps
                else:
                    (site.sitemaps if _looks_like_sitemap(url) else site.pages).append(url)
            return list(by_host.values())
        sites = []
        for entry in as_list(self.source_config.params.get("sites")):
            problem = _site_problem(entry)
            if problem:  # (configuration_problem refuses such a configuration first)
                self.logger.warning("jobposting: site entry ignored: %s", problem)
                continue
            spec = {"url": entry} if isinstance(entry, str) else dict(entry)
            url = spec.get("url") or first_present(as_list(spec.get("sitemap"))
                                                   + as_list(spec.get("listing")))
            sites.append(Site(
                scope=str(spec.get("name") or urlsplit(url).netloc.lower()), root=_root(url),
                sitemaps=[str(u) for u in as_list(spec.get("sitemap"))],
                listings=[str(u) for u in as_list(spec.get("listing"))],
                include=[re.compile(p) for p in as_list(spec.get("include"))],
                exclude=[re.compile(p) for p in as_list(spec.get("exclude"))]))
        return sites

    def lastmod_thresholds(self, sites: list[Site]) -> dict[str, date | None]:
        """Per site, the oldest sitemap ``lastmod`` still read (None: every page).

        A full crawl reads everything; ``-a since=`` holds for every site; otherwise each
        site starts the day before *its* newest stored job, so that a site added since the
        last crawl (nothing stored) is read whole instead of from the other sites' date.
        """
        if self.full_crawl():
            self.run_args["full"] = "true"
            return {site.scope: None for site in sites}
        by_scope = self.recorded_since_by_scope()
        thresholds: dict[str, date | None] = {}
        for site in sites:
            if by_scope is not None:  # a replay or a worker: as the recorded run did
                thresholds[site.scope] = self.since_date(site.scope) \
                    if by_scope.get(site.scope) else None
            elif self.param("since") or self.last_published(site.scope) is not None:
                thresholds[site.scope] = self.since_date(site.scope)
            else:
                thresholds[site.scope] = None  # nothing stored of this site yet
        self.record_since(thresholds)
        return thresholds

    async def start(self) -> AsyncIterator[Any]:
        sites = self.sites()
        if not sites:
            self.unconfigured(self.configuration_problem(self.source_config, self.run_args)
                              or "no career sites configured")
            return
        self.since = self.lastmod_thresholds(sites)
        for site in sites:
            self.sites_by_scope[site.scope] = site
            if not site.listed:
                self.scopes.skipped(site.scope)  # given pages only: no complete listing
        for site in sites:
            for request in self.site_requests(site):
                yield request

    def site_requests(self, site: Site) -> Iterator[scrapy.Request]:
        """Where a site's reading starts: its sitemaps, listing pages, given pages, or
        robots.txt to find its sitemaps."""
        if site.discover or not (site.sitemaps or site.listings or site.pages):
            yield from self.follow(site, f"{site.root}/robots.txt", self.parse_robots,
                                   handle_gone=True)
        for url in site.sitemaps:
            yield from self.follow(site, url, self.parse_sitemap)
        for url in site.listings:
            yield from self.follow(site, url, self.parse_listing)
        for url in site.pages:
            yield from self.follow(site, url, self.parse_page, handle_gone=True)

    # -- bookkeeping: a site is complete when all its requests ended well ---------------

    def follow(self, site: Site, url: str, callback: Any, *,
               handle_gone: bool = False) -> Iterator[scrapy.Request]:
        if url in self.requested:
            return
        self.requested.add(url)
        self.scopes.started(site.scope)
        # dont_filter: this spider removes duplicates itself, so that every request it
        # counts ends in a callback or an errback. The request carries the site's scope
        # only (the Site, with all its page URLs, stays here: requests are pickled into a
        # distributed crawl's queue).
        yield scrapy.Request(url, callback=callback, errback=self.failed, dont_filter=True,
                             cb_kwargs={"scope": site.scope},
                             meta={"handle_httpstatus_list": list(GONE_STATUSES)
                                   if handle_gone else []})

    def done(self, site: Site, *, failed: bool = False) -> None:
        if self.scopes.finished(site.scope, failed=failed):
            self.logger.info("jobposting: %s read completely", site.scope)

    def skipped(self, site: Site, reason: str) -> None:
        """Part of the site left unread on purpose: it cannot count as complete."""
        self.scopes.skipped(site.scope)
        self.crawler.stats.inc_value(f"aggregator/jobposting/{reason}")

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites_by_scope[request.cb_kwargs["scope"]]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt forbids it: the site's choice, not an error; the site stays unread
            self.logger.warning("jobposting: %s not read (robots.txt)", request.url)
            self.skipped(site, "forbidden_by_robots")
        else:
            self.logger.error("jobposting: %s could not be read: %s", request.url,
                              failure.getErrorMessage())
        self.done(site, failed=True)

    # -- discovery ---------------------------------------------------------------------

    def parse_robots(self, response: Response, scope: str) -> Iterator[Any]:
        site = self.sites_by_scope[scope]
        sitemaps = []
        if response.status not in GONE_STATUSES and isinstance(response, TextResponse):
            sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not sitemaps:
            sitemaps = [f"{site.root}/sitemap.xml"]
        for url in sitemaps:
            yield from self.follow(site, url, self.parse_sitemap)
        self.done(site)

    def parse_sitemap(self, response: Response, scope: str) -> Iterator[Any]:
        site = self.sites_by_scope[scope]
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                body = b""
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several kinds on a non-XML body
            self.logger.error("jobposting: %s is not a sitemap (%s)", response.url, exc)
            self.done(site, failed=True)
            return
        for entry in sitemap:
            loc = (entry.get("loc") or "").strip()
            if not loc:
                continue
            loc = urljoin(response.url, loc)
            since = self.since.get(site.scope)
            if since and (entry.get("lastmod") or "")[:10] and \
                    entry["lastmod"][:10] < since.isoformat():
                self.skipped(site, "unchanged_pages_skipped")
                continue
            if sitemap.type == "sitemapindex":
                yield from self.follow(site, loc, self.parse_sitemap)
            elif site.wanted(loc):
                yield from self.follow(site, loc, self.parse_page, handle_gone=True)
        self.done(site)

    def parse_listing(self, response: Response, scope: str) -> Iterator[Any]:
        site = self.sites_by_scope[scope]
        if isinstance(response, TextResponse):
            yield from self.postings(response, site, listing=True)
            yield from self.job_links(response, site)
        self.done(site)

    def job_links(self, response: TextResponse, site: Site) -> Iterator[Any]:
        """The site's job pages linked from a listing page, and its next listing page."""
        for href in response.xpath("//a/@href").getall():
            url = urljoin(response.url, href.strip()).split("#", 1)[0]
            if _root(url) == site.root and url != response.url and site.wanted(url):
                yield from self.follow(site, url, self.parse_page, handle_gone=True)
        for href in response.xpath("//a[@rel='next']/@href | //link[@rel='next']/@href"
                                   ).getall():
            yield from self.follow(site, urljoin(response.url, href.strip()),
                                   self.parse_listing)

    # -- job pages ---------------------------------------------------------------------

    def parse_page(self, response: Response, scope: str) -> Iterator[Any]:
        site = self.sites_by_scope[scope]
        if response.status in GONE_STATUSES or not isinstance(response, TextResponse):
            self.done(site)
            return
        if response.body.lstrip()[:5] == b"<?xml" or b"<urlset" in response.body[:500] \
                or b"<sitemapindex" in response.body[:500]:
            yield from self.parse_sitemap(response, scope)  # an -a urls sitemap
            return
        found = list(self.postings(response, site))
        yield from found
        if not found:
            self.crawler.stats.inc_value("aggregator/jobposting/pages_without_posting")
            if response.url in site.pages or response.request.url in site.pages:
                # a given URL without a posting is a listing page: follow its job links
                yield from self.job_links(response, site)
        self.done(site)

    @staticmethod
    def has_postings(text: str, url: str) -> bool:
        """Whether a page carries schema.org JobPosting (JSON-LD or microdata): what
        `aggregator sources follow` asks before following a site with this spider."""
        from parsel import Selector

        jsonld = read_jsonld(Selector(text=text))
        return any(True for obj in jsonld.objects for _ in find_postings(obj)) or bool(
            microdata_postings(text, url))

    def postings(self, response: TextResponse, site: Site,
                 listing: bool = False) -> Iterator[Any]:
        jsonld = read_jsonld(response)
        for repair in jsonld.repairs:
            self.crawler.stats.inc_value(f"aggregator/jobposting/jsonld_repaired/{repair}")
        for _unread in range(jsonld.unreadable_postings):
            self.drop_record("unreadable JSON-LD", response.url)
        postings = [p for obj in jsonld.objects for p in find_postings(obj)]
        if not postings:
            postings = microdata_postings(response.text, response.url)
        canonical = response.xpath("//link[@rel='canonical']/@href").get()
        canonical = urljoin(response.url, canonical.strip()) if canonical else response.url
        for index, posting in enumerate(postings):
            try:
                item = self.parse_posting(posting, response, site, canonical,
                                          index if len(postings) > 1 or listing else None)
            except Exception as exc:  # one bad posting never loses the page or the site
                self.logger.exception("jobposting: cannot read a posting of %s", response.url)
                self.drop_record(f"unreadable record ({type(exc).__name__})", response.url)
                # a job we could not read is not gone: nothing of this site may expire
                self.scopes.failed(site.scope)
                continue
            if item is not None:
                yield item

    def parse_posting(self, posting: dict[str, Any], response: TextResponse, site: Site,
                      canonical: str, index: int | None) -> Any:
        title = _first_text(posting.get("title")) or _first_text(posting.get("name"))
        if not title:
            self.drop_record("JobPosting without title", response.url)
            return None
        own_url = _first_text(posting.get("url"))
        url = urljoin(response.url, own_url) if own_url else canonical
        identifier = _identifier(posting.get("identifier"))
        if identifier:
            source_id = f"{site.scope}:{identifier}"
        elif own_url or index is None:
            source_id = url.split("#", 1)[0]
        else:  # several postings on one page, with neither id nor url of their own
            source_id = f"{canonical}#{index}"
        places = [p for p in as_list(posting.get("jobLocation")) if p]
        place = places[0] if places else {}
        address = place.get("address") if isinstance(place, dict) else place
        address = (address[0] if isinstance(address, list) and address else address) or {}
        if isinstance(address, str):
            address = {"streetAddress": address}
        locality = _first_text(address.get("addressLocality"))
        region = _first_text(address.get("addressRegion"))
        place_name = _first_text(place.get("name")) if isinstance(place, dict) else None
        location = ", ".join(p for p in (locality, region) if p) or place_name \
            or _first_text(address.get("streetAddress"))
        geo = place.get("geo") if isinstance(place, dict) else None
        geo = geo if isinstance(geo, dict) else {}
        employment = posting.get("employmentType")
        organization = _first_text(posting.get("hiringOrganization"))
        description = self.description(posting)
        extra = {"locations": [self.place_text(p) for p in places]} if len(places) > 1 else {}
        for name in ("industry", "occupationalCategory", "directApply"):
            if posting.get(name) not in (None, "", []):
                extra[name] = posting[name]
        return self.listing(
            source_id=source_id,
            url=url,
            title=title,
            organization=organization,
            description=description,
            published_at=_first_text(posting.get("datePosted")),
            modified_at=_first_text(posting.get("dateModified")),
            deadline_at=_first_text(posting.get("validThrough")),
            location=location,
            postal_code=_first_text(address.get("postalCode")),
            country=_first_text(address.get("addressCountry")),
            latitude=_first_text(geo.get("latitude")),
            longitude=_first_text(geo.get("longitude")),
            # raw: schema.org's TELECOMMUTE (the normaliser's parse_remote reads it)
            remote=posting.get("jobLocationType") or None,
            contract_type=employment or None,
            working_time=employment or None,
            salary=posting.get("baseSalary") or posting.get("estimatedSalary") or None,
            status="open",
            scope=site.scope,
            match_keys=job_match_keys(organization, title, locality or place_name,
                                      description, reference=identifier),
            raw=posting,
            extra=extra or None,
        )

    @staticmethod
    def description(posting: dict[str, Any]) -> str | None:
        """The description, followed by the other text properties some sites fill instead."""
        parts = []
        main = posting.get("description")  # raw, as written: the normaliser cleans it
        main = main if isinstance(main, str) and main.strip() else _first_text(main)
        if main:
            parts.append(main)
        for name, heading in DESCRIPTION_PARTS:
            texts = [t for t in (_first_text(v) for v in as_list(posting.get(name))) if t]
            if texts:
                parts.append(f"<h3>{heading}</h3>" + "".join(f"<p>{t}</p>" for t in texts))
        return "\n".join(parts) or None

    @staticmethod
    def place_text(place: Any) -> str | None:
        if not isinstance(place, dict):
            return _first_text(place)
        address = place.get("address")
        address = address if isinstance(address, dict) else {}
        return _first_text(place.get("name")) or ", ".join(
            t for t in (_first_text(address.get(k)) for k in (
                "addressLocality", "addressRegion", "addressCountry")) if t) or None


def _site_problem(entry: Any) -> str | None:
    """Why one ``sites`` entry cannot be used (one line), or None."""
    if isinstance(entry, str):
        return None if entry.strip() else "an empty site URL"
    if not isinstance(entry, dict):
        return f"{entry!r} is neither a URL nor a table"
    if not (entry.get("url") or as_list(entry.get("sitemap")) or as_list(entry.get("listing"))):
        return f"{entry!r} has no url, sitemap or listing"
    for key in ("url", "name", "sitemap", "listing"):
        if any(not isinstance(value, str) for value in as_list(entry.get(key))):
            return f"{key} of {entry!r} must be text"
    for key in ("include", "exclude"):
        for pattern in as_list(entry.get(key)):
            if not isinstance(pattern, str):
                return f"{key} pattern {pattern!r} must be text"
            try:
                re.compile(pattern)
            except re.error as exc:
                return f"{key} pattern {pattern!r} is not a regular expression ({exc})"
    return None
