"""The decp spider without ``urls``: the national dataset ``decp-2022-marches-valides`` read
from its Opendatasoft CSV export, over the recorded export (tests/fixtures/awards,
PROVENANCE.md: 9 real rows, published 2024-12-30 and 2024-12-31). What a test changes (a
row cut, a row given twice, the dataset as it stood on an earlier day) is derived here from
those rows; no value is made up.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from spiders.decp import DecpSpider, where_clause
from tests.sites import Reply, serve
from tests.sites.decp import DATASET, EXPORT_PATH, DatasetSite, export_lines, published, site
from tests.spiders.support import (
    by_id,
    crawl,
    dropped,
    make_spider,
    normalized,
    start_requests,
    stats,
)

PARIS = ZoneInfo("Europe/Paris")
API = "https://data.economie.gouv.fr/api/explore/v2.1"
EXPORT = f"{API}/catalog/datasets/{DATASET}/exports/csv"
HEADER, ROWS = export_lines()


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def read(served: DatasetSite | None = None, **args: object) -> tuple[DecpSpider, dict]:
    spider = make_spider(DecpSpider, **args)
    items = crawl(spider, served or DatasetSite())
    return spider, {k: normalized(v) for k, v in by_id(items).items()}


def test_every_row_of_the_recorded_export_is_one_award():
    spider, awards = read()
    assert len(awards) == len(ROWS) == 9
    assert dropped(spider) == {} and not spider.partial
    assert stats(spider)["aggregator/source_records"] == 9
    for award in awards.values():
        assert award["kind"] == "award" and award["status"] == "awarded"
        assert award["buyer_id"] and award["suppliers"] and award["title"]
        assert award["details"]["extra"]["dataset"] == DATASET
        assert award["details"]["extra"]["files"] == [EXPORT]


# rows of the recorded export, their fields as a user reads them (checked against the CSV by
# hand); "CDL" (empty optional value) is no second holder, no amendment
ROWS_READ = [
    ("20006810400013-202404", {
        "title": "RESTAURATION TABLEAU MICHEL SERRE DU MCP LA VIERGE A LA CEINTURE",
        "url": f"{EXPORT}#20006810400013-202404", "organization": None,
        "buyer_id": "20006810400013", "amount": 45155.0, "duration_months": 13,
        "offers_received": 5, "awarded_at": datetime(2024, 12, 5, tzinfo=PARIS),
        "published_at": datetime(2024, 12, 31, tzinfo=PARIS),
        "ends_at": datetime(2026, 1, 5, tzinfo=PARIS), "nature": "Marché",
        "procedure": "Procédure adaptée", "cpv": ["92311000-4"], "department": "83",
        "suppliers": [{"id": "35043845300028", "id_type": "SIRET", "name": None}]}),
    ("21340129200015-202424FO15-02", {
        "amount": 400000.0, "duration_months": 48, "offers_received": 2,
        "procedure": "Appel d'offres ouvert", "postal_code": "34970", "department": "34"}),
    # a holder identified by its VAT number
    ("20005684400018-2024FCS05_1", {
        "suppliers": [{"id": "FR32918951849", "id_type": "TVA", "name": None}],
        "awarded_at": datetime(2024, 10, 15, tzinfo=PARIS)}),
    # notified in 2022, published in the 2022 format's dataset at the end of 2024
    ("22390001000362-2022115C", {
        "awarded_at": datetime(2022, 11, 23, tzinfo=PARIS), "offers_received": 0,
        "published_at": datetime(2024, 12, 30, tzinfo=PARIS), "amount": 50000.0}),
    # an id with spaces: the key keeps them, the url quotes them
    ("21260088600015-INX 202424 3 001", {
        "url": f"{EXPORT}#21260088600015-INX%20202424%203%20001", "postal_code": "26300"}),
]


@pytest.mark.parametrize(("uid", "expected"), ROWS_READ)
def test_a_row_reads_as_the_export_says(uid, expected):
    _, awards = read()
    award = awards[uid]
    assert {k: award[k] for k in expected} == expected
    assert not award["details"].get("amendments")


def test_the_raw_payload_is_the_row_as_exported():
    spider = make_spider(DecpSpider)
    items = by_id(crawl(spider, DatasetSite()))
    raw = items["20006810400013-202404"]["raw"]
    assert raw["acheteur.id"] == "20006810400013" and raw["titulaire_id_2"] == "CDL"
    assert raw["source"] == "data.gouv.fr_pes" and raw["attributionAvance"] == "MQ"


def test_a_contract_on_consecutive_rows_is_one_award():
    """One row per amendment: rows of the same contract side by side are one award."""
    spider, awards = read(DatasetSite([ROWS[0], ROWS[0], *ROWS[1:]]))
    assert len(awards) == 9 and dropped(spider) == {}
    rows = by_id(crawl(make_spider(DecpSpider), DatasetSite([ROWS[0], ROWS[0]])))
    assert len(rows["20006810400013-202404"]["raw"]["rows"]) == 2


# -- the requests ------------------------------------------------------------------------

def wheres(spider: DecpSpider) -> list[str | None]:
    """The ``where`` of every window the spider asks for, in order."""
    return [where_clause(*window) for window in spider.windows]


def test_a_first_crawl_asks_for_the_whole_export_a_month_at_a_time_in_the_recorded_format():
    spider = make_spider(DecpSpider, until="2024-12-31")
    (request,) = start_requests(spider)  # the next month once this one is read
    assert request.url.split("?")[0] == EXPORT
    assert query(request.url) == {"lang": "en", "timezone": "Europe/Paris",
                                  "use_labels": "true", "delimiter": ";",
                                  "where": "datepublicationdonnees < date'2019-01-01'"}
    assert request.meta["download_timeout"] >= 600
    asked = wheres(spider)
    assert len(asked) == 1 + 6 * 12  # all before 2019, then every month to December 2024
    assert asked[1] == ("datepublicationdonnees >= date'2019-01-01' AND "
                        "datepublicationdonnees < date'2019-02-01'")
    assert asked[12] == ("datepublicationdonnees >= date'2019-12-01' AND "
                         "datepublicationdonnees < date'2020-01-01'")
    # the last month open-ended: what is published meanwhile is read too
    assert asked[-1] == "datepublicationdonnees >= date'2024-12-01'"
    assert spider.run_args == {"until": "2024-12-31"}


def test_later_crawls_ask_from_the_day_before_the_newest_stored_publication():
    spider = make_spider(DecpSpider, until="2024-12-31",
                         last_published_at=datetime(2024, 12, 30, 23, tzinfo=UTC))
    (request,) = start_requests(spider)
    # 23:00 UTC is the 31st in Paris: one day of overlap before it
    assert query(request.url)["where"] == "datepublicationdonnees >= date'2024-12-30'"
    assert wheres(spider) == ["datepublicationdonnees >= date'2024-12-30'"]
    assert spider.run_args == {"since": "2024-12-30", "until": "2024-12-31"}


def test_since_wins_and_full_reads_everything():
    stored = datetime(2024, 12, 30, tzinfo=UTC)
    since = make_spider(DecpSpider, since="2024-10-15", until="2024-12-31",
                        last_published_at=stored)
    start_requests(since)
    assert wheres(since) == [
        "datepublicationdonnees >= date'2024-10-15' AND datepublicationdonnees < date'2024-11-01'",
        "datepublicationdonnees >= date'2024-11-01' AND datepublicationdonnees < date'2024-12-01'",
        "datepublicationdonnees >= date'2024-12-01'"]
    first = make_spider(DecpSpider, since="2024-12-01", until="2024-12-31")
    start_requests(first)
    assert wheres(first) == ["datepublicationdonnees >= date'2024-12-01'"]
    full = make_spider(DecpSpider, full="true", until="2024-12-31", last_published_at=stored)
    start_requests(full)
    assert len(wheres(full)) == 73 and wheres(full)[0].endswith("< date'2019-01-01'")


def test_every_window_is_read_one_after_the_other():
    served = DatasetSite()
    _, awards = read(served, until="2025-02-10")
    assert len(awards) == 9
    asked = [r.param("where") for r in served.received]
    expected = make_spider(DecpSpider, until="2025-02-10")
    start_requests(expected)
    assert asked == wheres(expected) and len(asked) == 75


def test_the_dataset_and_the_endpoint_are_settings():
    spider = make_spider(DecpSpider, {"DECP_API_URL": "http://127.0.0.1:9/api/explore/v2.1/"},
                         dataset="decp-2022-marches-exclus")
    (request,) = start_requests(spider)
    assert request.url.split("?")[0] == ("http://127.0.0.1:9/api/explore/v2.1/catalog/datasets/"
                                         "decp-2022-marches-exclus/exports/csv")
    # a dataset the portal does not have: one counted error (no other window asked), the
    # run partial
    items = crawl(spider, DatasetSite())
    assert items == [] and dropped(spider) == {"unreadable file": 1} and spider.partial


def test_the_window_reads_only_what_was_published_since():
    served = DatasetSite()
    _, awards = read(served, since="2024-12-31")
    assert len(awards) == 5
    assert {a["published_at"] for a in awards.values()} == {datetime(2024, 12, 31, tzinfo=PARIS)}


# -- broken answers ----------------------------------------------------------------------

def cut(rows: list[bytes]) -> bytes:
    body = HEADER + b"".join(rows)
    return body[: len(body) - len(rows[-1]) // 2]


@pytest.mark.parametrize("body", [
    pytest.param(lambda: cut(ROWS), id="cut in its last row"),
    pytest.param(lambda: HEADER + b"".join(ROWS)[:-2], id="no line break at its end"),
    pytest.param(lambda: b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
                 id="an HTML page"),
    pytest.param(lambda: b'{"error_code": "ODSQLError", "message": "..."}', id="a JSON error"),
])
def test_a_broken_export_is_one_counted_error_and_nothing_read(body):
    served = DatasetSite()
    served.routes.clear()
    served.add("GET", EXPORT_PATH, Reply(200, body(), {"Content-Type": "text/csv"}))
    spider, awards = read(served, until="2019-01-31")  # two windows: before 2019, and after
    assert awards == {} and dropped(spider) == {"unreadable file": 2} and spider.partial


def test_the_files_site_also_serves_the_dataset():
    """The bundled replay and the all-spiders test use ``site()``: it answers both modes."""
    spider = make_spider(DecpSpider)
    assert len(crawl(spider, site())) == 9


# -- end to end ---------------------------------------------------------------------------

@pytest.mark.slow
def test_first_crawl_reads_every_month_then_only_what_was_published_since(sqlite_url):
    """``aggregator crawl decp`` twice against a local portal: the dataset as it stood on
    2024-12-30 (its rows published that day), read whole, a month at a time; then as
    recorded, read from the day before the newest stored publication, 2024-12-29: the rows of
    the 31st are new, those of the 30th unchanged."""
    from aggregator.store.engine import get_engine
    from aggregator.store.runs import recent_runs
    from tests.crawl.test_crawl_command import FAST, aggregator

    older = [r for r in ROWS if published(r, HEADER) <= "2024-12-30"]
    assert len(older) == 4

    served = DatasetSite(older)

    def run(base: str) -> tuple[object, list[str | None]]:
        asked = len(served.received)
        result = aggregator("crawl", "decp", "-s", f"DECP_API_URL={base}/api/explore/v2.1",
                            *FAST)
        assert result.returncode == 0, result.stdout + result.stderr
        wheres = [r.param("where") for r in served.received[asked:]
                  if r.path.endswith("/exports/csv")]
        return recent_runs(get_engine(sqlite_url), source="decp", limit=1)[0], wheres

    with serve(served) as base:
        first, wheres = run(base)
        assert wheres[0] == "datepublicationdonnees < date'2019-01-01'" and len(wheres) > 90
        assert wheres[1].startswith("datepublicationdonnees >= date'2019-01-01' AND")
        assert (first.outcome, first.items_new) == ("ok", 4)
        assert "since" not in first.args

        served.rows = ROWS  # the dataset as recorded: 5 rows published since
        second, wheres = run(base)
    assert wheres[:2] == [
        "datepublicationdonnees >= date'2024-12-29' AND datepublicationdonnees < date'2025-01-01'",
        "datepublicationdonnees >= date'2025-01-01' AND datepublicationdonnees < date'2025-02-01'"]
    assert (second.outcome, second.items_new, second.items_updated,
            second.items_unchanged) == ("ok", 5, 0, 4)
    assert second.args["since"] == "2024-12-29"

    listed = aggregator("search", "kind:award", "supplier:FR32918951849", "--json")
    (record,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert record["buyer_id"] == "20005684400018" and record["amount"] == 380000.0
