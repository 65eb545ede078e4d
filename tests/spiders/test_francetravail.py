"""France Travail spider: its callbacks on the recorded real offers, then real crawls
against tests/sites/francetravail.py on 127.0.0.1.

There is no real 206 header, token response or 401 sample (PROVENANCE "Not found"): the
Content-Range values and statuses below follow the OpenAPI spec's response definitions
(``/v2/offres/search``: 200/206 ``offres p-d/t``, 204 ``*/0``), the token response follows
France Travail's client-credentials documentation (see tests/sites/francetravail.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from aggregator.crawling.runner import CrawlRequest, run_crawl
from aggregator.normalize import normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.models import Listing
from aggregator.store.runs import get_run
from spiders.base.oauth import ClientCredentials, OAuthAddon, OAuthMiddleware
from spiders.francetravail import DEPARTMENTS, FranceTravailSpider, Query
from tests.sites import Reply, fixture, serve
from tests.sites.francetravail import (
    CLIENT_ID,
    CLIENT_SECRET,
    SEARCH_PATH,
    TOKEN_PATH,
    FranceTravailSite,
)

API = "https://api.francetravail.io/partenaire/offresdemploi/v2"
FIRST_PAGE = json.loads(fixture(
    "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))
EDGE = {o["id"]: o for o in json.loads(fixture(
    "jobs/francetravail_offres_selected_edgecases_2025-11.json"))}
CRAWLED = datetime(2025, 11, 15, 8, 0, tzinfo=UTC)


def make_spider(**args) -> FranceTravailSpider:
    crawler = get_crawler(FranceTravailSpider, {"FRANCE_TRAVAIL_API_URL": API,
                                                "FRANCE_TRAVAIL_CLIENT_ID": "id",
                                                "FRANCE_TRAVAIL_CLIENT_SECRET": "secret"})
    spider = crawler._create_spider(**args)
    crawler.spider = spider
    spider.oauth = ClientCredentials(crawler, "https://token.invalid", "id", "secret", "s",
                                     resource_url=API)
    spider.oauth.token, spider.oauth.expires_at = "token-1", time.monotonic() + 1000
    spider.oauth.generation = 1
    return spider


def run(agen) -> list:
    async def collect():
        return [x async for x in agen]
    return asyncio.run(collect())


def run_one(coroutine):
    return asyncio.run(coroutine)


def page(url: str, status: int, body: bytes, content_range: str | None) -> TextResponse:
    headers = {"Content-Type": "application/json"}
    if content_range:
        headers["Content-Range"] = content_range
    return TextResponse(url, status=status, body=body, headers=headers, request=Request(url))


# -- mapping ---------------------------------------------------------------------------

def test_offer_fields_first_record():
    spider = make_spider(since="2025-11-13")
    offer = FIRST_PAGE["resultats"][0]
    item = dict(spider.parse_offer(offer, "all"))
    assert item.pop("raw") is offer
    assert item.pop("description") == offer["description"]
    assert item.pop("match_keys") == [
        "job:elior support|second de cuisine|saint germain en laye",
        "job-text:second de cuisine|saint germain en laye|fd3f5b7464d1f445"]
    assert item == {
        "kind": "job", "source": "francetravail", "source_id": "200HHPB",
        "url": "https://candidat.francetravail.fr/offres/recherche/detail/200HHPB",
        "title": "Second de cuisine F/H ", "organization": "ELIOR SUPPORT",
        "published_at": "2025-11-13T22:47:20.057Z",
        "modified_at": "2025-11-13T22:47:20.308Z",
        "location": "78 - Saint-Germain-en-Laye", "postal_code": "78100",
        "insee_code": "78551", "latitude": 48.899842, "longitude": 2.083704,
        "contract_type": ["CDI"], "working_time": "Temps plein", "salary": None,
        "status": "open", "scope": "all",
        "extra": {"typeContratLibelle": "CDI", "natureContrat": "Contrat travail",
                  "romeCode": "G1609", "romeLibelle": "Cuisinier / Cuisinière",
                  "appellationlibelle": "Second / Seconde de cuisine",
                  "experienceLibelle": "1 An(s)", "qualificationLibelle": "Employé qualifié",
                  "secteurActiviteLibelle": "Activités des sociétés holding",
                  "nombrePostes": 1, "dureeTravailLibelle": "35H/semaine\nTravail en journée"},
    }


@pytest.mark.parametrize("offer_id, expected", [
    # alternance: the contract list says so
    ("200GZMR", {"contract_type": ["CDD", "alternance"], "organization": "ASK FORMATION",
                 "location": "91 - GIF SUR YVETTE", "postal_code": "91190",
                 "insee_code": "91272", "salary": None, "working_time": "Temps partiel"}),
    # only "France": no postal code, commune or coordinates
    ("200HHNN", {"location": "France", "postal_code": None, "insee_code": None,
                 "latitude": None, "longitude": None, "match_keys": [],
                 "salary": "Mensuel de 5500.0 Euros à 6000.0 Euros sur 12.0 mois"}),
    # an employer without a name
    ("200HHLX", {"organization": None, "location": "13 - MARSEILLE 14",
                 "salary": "Mensuel de 1819.0 Euros à 1821.0 Euros sur 12.0 mois"}),
    # commune without postal code; LIB contract; no working time
    ("200GVWB", {"postal_code": None, "insee_code": "69123", "location": "69 - Lyon"}),
    ("200GYWF", {"contract_type": ["LIB"], "working_time": None,
                 "organization": "MARCHAND BRIGITTE"}),
    ("200JNLH", {"salary": "Cachet de 138.85 Euros",
                 "published_at": "2025-11-14T17:13:56.179Z",
                 "modified_at": "2025-11-14T17:13:56.179Z"}),
])
def test_offer_fields_edge_cases(offer_id, expected):
    item = make_spider().parse_offer(EDGE[offer_id], "all")
    assert {k: item.get(k) for k in expected} == expected
    assert item["source_id"] == offer_id
    assert item["url"] == EDGE[offer_id]["origineOffre"]["urlOrigine"]


def test_url_falls_back_to_the_france_travail_page():
    offer = {k: v for k, v in EDGE["200HHMZ"].items() if k != "origineOffre"}
    item = make_spider().parse_offer(offer, "all")
    assert item["url"] == "https://candidat.francetravail.fr/offres/recherche/detail/200HHMZ"


def test_offer_without_id_is_dropped_and_counted():
    spider = make_spider()
    assert spider.parse_offer({"intitule": "x"}, "all") is None
    assert spider.crawler.stats.get_value("aggregator/dropped/offer without id") == 1


@pytest.mark.parametrize("offer_id, place, contract", [
    ("200HHLQ", ("Paris 16e Arrondissement", "75016", "75", "11"), "cdi"),
    ("200HHLR", ("Sainte-Anne", "97180", "971", "01"), "cdi"),
    ("200HHMZ", ("Blangy-sur-Bresle", "76340", "76", "28"), "interim"),
    ("200GZMR", ("Gif-sur-Yvette", "91190", "91", "11"), "apprenticeship"),
    ("200GYWF", ("Moudeyres", "43150", "43", "84"), "freelance"),
    ("200GZVX", ("Paris", None, "75", "11"), "cdi"),
    ("200HHLH", (None, None, "972", "02"), "cdd"),
    ("200HHNN", (None, None, None, None), "cdd"),
])
def test_offers_resolve_through_the_normaliser(offer_id, place, contract):
    record = normalize_listing(make_spider().parse_offer(EDGE[offer_id], "all"),
                               crawled_at=CRAWLED)
    assert (record["city"], record["postal_code"], record["department"],
            record["region"]) == place
    assert record["contract_type"] == contract
    assert record["country"] == "FR"
    assert record["published_at"] == datetime.fromisoformat(
        EDGE[offer_id]["dateCreation"].replace("Z", "+00:00"))


def test_salary_text_is_parsed_by_the_normaliser():
    record = normalize_listing(make_spider().parse_offer(EDGE["200HHNH"], "all"),
                               crawled_at=CRAWLED)
    assert (record["salary_min"], record["salary_max"], record["salary_period"]) == (
        60000.0, 65000.0, "year")


# -- queries and paging -----------------------------------------------------------------

def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_queries_from_arguments():
    spider = make_spider(since="2025-11-13", until="2025-11-14", departments="13,83",
                         keywords="cuisine,chef", contract_types="CDI,CDD")
    queries = spider.queries()
    assert [q.scope for q in queries] == [
        "departement=13&motsCles=cuisine%2Cchef&typeContrat=CDI%2CCDD",
        "departement=83&motsCles=cuisine%2Cchef&typeContrat=CDI%2CCDD"]
    assert _params(queries[0].url(API, 0)) == {
        "sort": "1", "motsCles": "cuisine,chef", "typeContrat": "CDI,CDD",
        "departement": "13", "minCreationDate": "2025-11-13T00:00:00Z",
        "maxCreationDate": "2025-11-15T00:00:00Z", "range": "0-149"}
    assert spider.run_args["since"] == "2025-11-13" and spider.run_args["until"] == "2025-11-14"


def test_department_codes_from_toml_numbers():
    spider = make_spider(since="2025-11-13")
    spider.run_args["departments"] = [1, 13, "2a", 971]
    assert [q.department for q in spider.queries()] == ["01", "13", "2A", "971"]


def test_full_crawl_has_no_date_filter():
    spider = make_spider(full="true", until="2025-11-14")
    (query,) = spider.queries()
    assert query.scope == "all" and query.window is None
    assert _params(query.url(API, 150)) == {"sort": "1", "range": "150-299"}


def test_206_yields_offers_and_asks_the_next_range():
    spider = make_spider(since="2025-11-13", page_size="20")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    url = query.url(API, 0, 20)
    out = run(spider.parse_page(page(url, 206, json.dumps(FIRST_PAGE).encode(),
                                     "offres 0-19/35"), query=query, offset=0, total=None))
    items, requests = out[:-1], out[-1]
    assert [i["source_id"] for i in items] == [o["id"] for o in FIRST_PAGE["resultats"]]
    assert _params(requests.url)["range"] == "20-39"
    assert requests.cb_kwargs == {"query": query, "offset": 20, "total": 35}
    # No token in what is queued (pickled into Redis by a distributed crawl) or cached: the
    # downloader adds it at send time.
    assert "Authorization" not in requests.headers
    assert "token-1" not in repr(requests.to_dict(spider=spider))  # as scrapy-redis queues it


def test_page_size_is_the_base_page_limit():
    assert make_spider().page_limit == 150 and make_spider().cap == 3150
    spider = make_spider(page_size="10")
    assert (spider.page_limit, spider.cap) == (10, 3010)
    assert make_spider(page_size="500").page_limit == 150  # never more than the API's


# -- credentials: added inside the downloader only ------------------------------------------

def _middleware(spider: FranceTravailSpider) -> OAuthMiddleware:
    assert OAuthAddon in spider.settings.getdict("ADDONS")  # enables it when the crawl starts
    return OAuthMiddleware(spider.crawler)


def test_the_bearer_token_is_added_at_send_time_and_taken_off_after():
    spider = make_spider(since="2025-11-13")
    (query,) = spider.queries()
    request = run_one(spider.search(query, 0))
    assert "Authorization" not in request.headers and "token-1" not in repr(request.meta)
    middleware = _middleware(spider)
    middleware.process_request(request)
    assert request.headers["Authorization"] == b"Bearer token-1"  # what is sent
    assert request.meta["oauth_generation"] == 1
    middleware.process_response(request, page(request.url, 200, b'{"resultats": []}', None))
    assert "Authorization" not in request.headers  # what the HTTP cache then stores
    # a request sent elsewhere (a redirect to another host) never gets the token
    elsewhere = request.replace(url="https://other.example.org/offres/search")
    middleware.process_request(elsewhere)
    assert "Authorization" not in elsewhere.headers


def test_the_client_secret_is_added_at_send_time_and_taken_off_after():
    spider = make_spider()
    token_request = spider.oauth.token_request()
    # the cache key: no credentials in it
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"], "scope": ["s"]}
    middleware = _middleware(spider)
    middleware.process_request(token_request)
    assert parse_qs(token_request.body.decode()) == {  # what is sent
        "grant_type": ["client_credentials"], "scope": ["s"], "client_id": ["id"],
        "client_secret": ["secret"]}
    middleware.process_exception(token_request, ConnectionError("down"))
    # what retries and the cache see
    assert token_request.body == b"grant_type=client_credentials&scope=s"


def test_200_is_the_last_page_and_204_is_none():
    spider = make_spider(full="true", until="2025-11-14")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    body = json.dumps({"resultats": list(EDGE.values())}).encode()
    url = query.url(API, 150)
    out = run(spider.parse_page(page(url, 200, body, "offres 150-164/165"), query=query,
                                offset=150, total=165))
    assert len(out) == len(EDGE) and all(o.get("source_id") for o in out)
    assert spider.completed_scopes == {"all"}  # a full crawl read its query completely

    spider = make_spider(full="true", until="2025-11-14")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    assert run(spider.parse_page(page(url, 204, b"", "*/0"), query=query, offset=0,
                                 total=None)) == []
    assert spider.completed_scopes == {"all"}


def test_incremental_crawl_completes_no_scope():
    spider = make_spider(since="2025-11-13")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    run(spider.parse_page(page(query.url(API, 0), 204, b"", "*/0"), query=query, offset=0,
                          total=None))
    assert spider.completed_scopes == set()


def test_over_the_cap_a_window_is_halved():
    spider = make_spider(since="2025-11-13", until="2025-11-14")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    out = run(spider.parse_page(page(query.url(API, 0), 206, json.dumps(FIRST_PAGE).encode(),
                                     "offres 0-149/4100"), query=query, offset=0, total=None))
    assert all(isinstance(o, Request) for o in out)  # no offer: the halves will read them
    windows = [(_params(r.url)["minCreationDate"], _params(r.url)["maxCreationDate"],
                _params(r.url)["range"]) for r in out]
    assert windows == [("2025-11-13T00:00:00Z", "2025-11-14T00:00:00Z", "0-149"),
                       ("2025-11-14T00:00:00Z", "2025-11-15T00:00:00Z", "0-149")]
    assert spider.scopes.pending[query.scope] == 2 and not spider.partial


def test_a_minute_over_the_cap_is_split_by_department():
    spider = make_spider(since="2025-11-13")
    start = datetime(2025, 11, 13, 22, 0, 0, tzinfo=UTC)
    query = Query(scope="all", params={"sort": "1"},
                  window=(start, start.replace(second=59)))
    spider.scopes.started("all")
    out = run(spider.parse_page(page(query.url(API, 0), 206, b'{"resultats": []}',
                                     "offres 0-149/3200"), query=query, offset=0, total=None))
    assert [_params(r.url)["departement"] for r in out] == list(DEPARTMENTS)
    assert len(DEPARTMENTS) == 101 and {"2A", "2B", "976"} <= set(DEPARTMENTS)


def test_a_query_that_cannot_be_split_reads_the_cap_and_says_partial(caplog):
    spider = make_spider(since="2025-11-13")
    start = datetime(2025, 11, 13, 22, 0, 0, tzinfo=UTC)
    query = Query(scope="departement=13", params={"sort": "1"}, department="13",
                  window=(start, start.replace(second=30)))
    spider.scopes.started(query.scope)
    out = run(spider.parse_page(page(query.url(API, 0), 206, json.dumps(FIRST_PAGE).encode(),
                                     "offres 0-149/3500"), query=query, offset=0, total=None))
    assert len([o for o in out if not isinstance(o, Request)]) == 20
    assert _params(out[-1].url)["range"] == "150-299"
    assert spider.partial and "departement=13" in spider.scopes.incomplete
    assert "more than the API's 3150" in caplog.text
    # the last page the API serves: 3000-3149, and no further
    last = run(spider.parse_page(page(query.url(API, 3000), 206, b'{"resultats": [{"id": "Z",'
                                      b' "intitule": "x"}]}', "offres 3000-3149/3500"),
                                 query=query, offset=3000, total=3500))
    assert [type(o).__name__ for o in last] == ["RawListing"]


def test_401_refreshes_the_token_once():
    spider = make_spider(since="2025-11-13")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    calls = []

    async def refresh(stale):
        calls.append(stale)
        spider.oauth.token, spider.oauth.generation = "token-2", 2
        return "token-2"

    spider.oauth.refresh = refresh
    url = query.url(API, 0)
    refused = page(url, 401, b"", None)
    refused.request.meta["oauth_generation"] = 1  # noted by the middleware when sent
    (retry,) = run(spider.parse_page(refused, query=query, offset=0, total=None))
    assert calls == [1]  # the refused token's generation, never the token itself
    assert retry.meta["retried_auth"] is True and retry.dont_filter
    OAuthMiddleware(spider.crawler).process_request(retry)
    assert retry.headers["Authorization"] == b"Bearer token-2"
    # refused again: no second refresh, the query failed
    again = TextResponse(url, status=401, body=b"", request=retry)
    assert run(spider.parse_page(again, query=query, offset=0, total=None)) == []
    assert calls == [1] and spider.partial


def test_an_offer_that_cannot_be_read_is_dropped_and_the_page_goes_on(monkeypatch):
    spider = make_spider(full="true", until="2025-11-14")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    broken = {**FIRST_PAGE["resultats"][1], "salaire": ["not", "an", "object"]}
    body = json.dumps({"resultats": [FIRST_PAGE["resultats"][0], broken,
                                     FIRST_PAGE["resultats"][2]]}).encode()
    out = run(spider.parse_page(page(query.url(API, 0), 206, body, "offres 0-149/200"),
                                query=query, offset=0, total=None))
    assert [o["source_id"] for o in out if not isinstance(o, Request)] == [
        FIRST_PAGE["resultats"][0]["id"], FIRST_PAGE["resultats"][2]["id"]]
    assert _params(out[-1].url)["range"] == "150-299"  # the query goes on
    assert spider.crawler.stats.get_value(
        "aggregator/dropped/unreadable record (AttributeError)") == 1
    # the offer was not read, not gone: its scope cannot be complete
    assert query.scope in spider.scopes.incomplete and spider.partial


def test_a_place_given_as_text_is_read_as_the_place_not_a_dropped_offer():
    spider = make_spider(full="true", until="2025-11-14")
    (query,) = spider.queries()
    spider.scopes.started(query.scope)
    textual = {**FIRST_PAGE["resultats"][1], "lieuTravail": "75 - Paris"}  # not an object
    nested = {**FIRST_PAGE["resultats"][2], "id": {"nested": 1}}
    body = json.dumps({"resultats": [textual, nested]}).encode()
    out = run(spider.parse_page(page(query.url(API, 0), 206, body, "offres 0-149/200"),
                                query=query, offset=0, total=None))
    (listing,) = [o for o in out if not isinstance(o, Request)]
    assert (listing["source_id"], listing["location"]) == (textual["id"], "75 - Paris")
    assert spider.crawler.stats.get_value(
        "aggregator/dropped/offer id is not a text or number") == 1


def test_a_department_added_since_the_last_crawl_starts_like_a_first_crawl():
    with time_machine.travel(datetime(2025, 11, 15, 8, 0, tzinfo=UTC), tick=False):
        spider = make_spider(departments="13,83")
        spider.last_published_at = datetime(2025, 11, 14, 20, 0, tzinfo=UTC)
        spider.last_published_by_scope = {
            "departement=13": datetime(2025, 11, 14, 20, 0, tzinfo=UTC)}  # 83 is new
        first, second = spider.queries()
    assert _params(first.url(API, 0))["minCreationDate"] == "2025-11-13T00:00:00Z"
    assert _params(second.url(API, 0))["minCreationDate"] == "2025-10-16T00:00:00Z"  # 30 days
    # what a replay or a distributed worker must ask for the same
    assert json.loads(spider.run_args["since_by_scope"]) == {
        "departement=13": "2025-11-13", "departement=83": "2025-10-16"}
    assert "since" not in spider.run_args
    replayed = make_spider(departments="13,83", since_by_scope=spider.run_args[
        "since_by_scope"], until="2025-11-15")
    assert [q.window for q in replayed.queries()] == [first.window, second.window]


def test_without_credentials_the_source_is_unconfigured(monkeypatch):
    from aggregator.config import SourceConfig

    problem = FranceTravailSpider.configuration_problem(SourceConfig("francetravail"), {})
    assert problem == ("FRANCE_TRAVAIL_CLIENT_ID and FRANCE_TRAVAIL_CLIENT_SECRET not set "
                       "(France Travail API credentials, from francetravail.io)")
    monkeypatch.setenv("FRANCE_TRAVAIL_CLIENT_ID", "a")
    monkeypatch.setenv("FRANCE_TRAVAIL_CLIENT_SECRET", "b")
    assert FranceTravailSpider.configuration_problem(SourceConfig("francetravail"), {}) is None


# -- end to end --------------------------------------------------------------------------

def _crawl(base: str, url: str, *extra: str, credentials: bool = True, record=None,
           **args: str) -> int:
    settings = {"FRANCE_TRAVAIL_API_URL": f"{base}/partenaire/offresdemploi/v2",
                "FRANCE_TRAVAIL_TOKEN_URL": f"{base}/connexion/oauth2/access_token"
                                            "?realm=/partenaire",
                "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    if credentials:
        settings |= {"FRANCE_TRAVAIL_CLIENT_ID": CLIENT_ID,
                     "FRANCE_TRAVAIL_CLIENT_SECRET": CLIENT_SECRET}
    run_id = run_crawl(CrawlRequest("francetravail", {"page_size": "10", **args}, settings),
                       database_url=url, timeout=60, record=record)
    assert run_id is not None
    return run_id


@pytest.mark.slow
def test_crawl_pages_refreshes_a_refused_token_and_waits_on_429(store_url, engine):
    site = FranceTravailSite(revoke_after=2)  # the 3rd search finds its token revoked
    site.add("GET", SEARCH_PATH, Reply(429, b"", {"Retry-After": "1"}), times=1)
    site.routes.insert(0, site.routes.pop())  # the 429 answers first, once
    with serve(site) as base:
        started = time.monotonic()
        run_id = _crawl(base, store_url, since="2025-11-13", until="2025-11-14")
        elapsed = time.monotonic() - started
    run_record = get_run(engine, run_id)
    assert run_record.outcome == "ok", run_record.error_summary
    assert run_record.items_new == 31 and run_record.items_dropped == 0
    stats = run_record.stats
    # 31 offers, 10 a page: 206, 206, 206, then 200 for the last one
    assert stats["downloader/response_status_count/206"] == 3
    assert stats["downloader/response_status_count/429"] == 1
    assert stats["downloader/response_status_count/401"] == 1
    assert stats["aggregator/oauth_token_requests"] == 2
    assert elapsed >= 1  # waited as Retry-After asked
    tokens = [r.headers.get("Authorization") for r in site.received if r.path == SEARCH_PATH]
    assert tokens.count("Bearer replay-token-1") == 4  # 429, 0-9, 10-19, refused 20-29
    assert tokens[-2:] == ["Bearer replay-token-2"] * 2
    assert site.count(TOKEN_PATH, "POST") == 2
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(Listing.__table__))}
    assert len(rows) == 31
    row = rows["200HHLQ"]
    assert (row.title, row.organization, row.city, row.postal_code, row.department,
            row.contract_type, row.status) == (
        "Demi Chef de partie / Jeune brasserie parisienne / Temps partiel (H/F)",
        "CAFE RANELAGH",
        "Paris 16e Arrondissement", "75016", "75", "cdi", "open")


@pytest.mark.slow
def test_a_recording_holds_no_secret_and_replays_offline(sqlite_url, tmp_path):
    """`aggregator crawl --record`: neither the client secret nor a bearer token is written
    to the replay set, and the set still replays without the network."""
    site = FranceTravailSite()
    with serve(site) as base:
        _crawl(base, sqlite_url, record=tmp_path, since="2025-11-13", until="2025-11-14")
    # the site did receive both (the downloader added them) ...
    assert any(CLIENT_SECRET.encode() in r.body for r in site.received)
    assert any("Bearer replay-token-" in r.headers.get("Authorization", "")
               for r in site.received)
    # ... but no recorded file has them
    recorded = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert any(f.name == "request_body" for f in recorded)
    for file in recorded:
        assert CLIENT_SECRET.encode() not in file.read_bytes(), file
        assert CLIENT_ID.encode() not in file.read_bytes(), file
        assert b"replay-token-" not in file.read_bytes(), file  # nor a token response
    assert CLIENT_ID.encode() not in (tmp_path / "manifest.json").read_bytes()
    # offline, and without credentials or a token: the replay stands in for the token
    replay_db = f"sqlite:///{tmp_path / 'replay.sqlite3'}"
    run_id = run_crawl(CrawlRequest("francetravail", {}, {}), database_url=replay_db,
                       timeout=60, replay=tmp_path)
    run_record = get_run(get_engine(replay_db), run_id)
    assert (run_record.outcome, run_record.items_new) == ("ok", 31), run_record.error_summary


@pytest.mark.slow
def test_crawl_without_credentials_is_recorded_unconfigured(sqlite_url):
    site = FranceTravailSite()
    with serve(site) as base:
        run_id = _crawl(base, sqlite_url, credentials=False, since="2025-11-13")
    run_record = get_run(get_engine(sqlite_url), run_id)
    assert run_record.outcome == "unconfigured"
    assert run_record.error_summary == ("FRANCE_TRAVAIL_CLIENT_ID and "
                                        "FRANCE_TRAVAIL_CLIENT_SECRET not set (France Travail "
                                        "API credentials, from francetravail.io)")
    assert site.received == []
