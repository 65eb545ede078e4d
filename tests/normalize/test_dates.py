"""Dates and deadlines: formats, time zones, relative dates, and the recorded samples."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from aggregator.normalize import parse_datetime, parse_deadline
from tests.sites import fixture

PARIS = ZoneInfo("Europe/Paris")
CRAWL = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # 12:00 in Paris, summer time since the 29th


def iso(value: object, **kwargs) -> str | None:
    parsed = parse_datetime(value, relative_base=CRAWL, **kwargs)
    return parsed.isoformat() if parsed else None


def deadline(value: object, **kwargs) -> tuple[str, bool] | None:
    parsed = parse_deadline(value, relative_base=CRAWL, **kwargs)
    return (parsed[0].isoformat(), parsed[1]) if parsed else None


@pytest.mark.parametrize("value, expected", [
    # ISO 8601
    ("2026-09-16T16:30:00+02:00", "2026-09-16T16:30:00+02:00"),
    ("2025-11-13T22:47:20.057Z", "2025-11-13T22:47:20.057000+00:00"),
    ("2024-08-05T08:35:38+0200", "2024-08-05T08:35:38+02:00"),
    ("2024-08-05 08:35:38 UTC", "2024-08-05T08:35:38+00:00"),
    ("2024-08-05T24:00:00", "2024-08-06T00:00:00+02:00"),
    # RFC 2822 (RSS pubDate: Teamtailor): the stated offset is the instant's
    ("Thu, 23 Jul 2026 11:20:15 +0100", "2026-07-23T11:20:15+01:00"),
    ("Mon, 02 Mar 2026 09:00:00 GMT", "2026-03-02T09:00:00+00:00"),
    # naive: Europe/Paris, winter and summer offsets
    ("2023-01-15T12:00:00", "2023-01-15T12:00:00+01:00"),
    ("2023-07-15T12:00:00", "2023-07-15T12:00:00+02:00"),
    ("2026-03-29T01:30:00", "2026-03-29T01:30:00+01:00"),  # just before the change
    ("2026-03-29T03:30:00", "2026-03-29T03:30:00+02:00"),  # just after
    ("2026-10-25T03:30:00", "2026-10-25T03:30:00+01:00"),
    # dates alone: the start of the day
    ("2026-09-22", "2026-09-22T00:00:00+02:00"),
    ("2026-08-06+02:00", "2026-08-06T00:00:00+02:00"),  # TED: a date in an offset
    ("2026-01-06Z", "2026-01-06T00:00:00+00:00"),
    # TED's split date and time
    (["2026-09-16+02:00", "16:30:00+02:00"], "2026-09-16T16:30:00+02:00"),
    ([["2026-09-16+02:00"], ["16:30:00+02:00"]], "2026-09-16T16:30:00+02:00"),
    ({"cbc:EndDate": "2026-09-22+02:00", "cbc:EndTime": "12:00:00+02:00"},
     "2026-09-22T12:00:00+02:00"),
    # French
    ("30/06/2023", "2023-06-30T00:00:00+02:00"),
    ("30/06/2023 à 12h00", "2023-06-30T12:00:00+02:00"),
    ("30.06.2023 12:00", "2023-06-30T12:00:00+02:00"),
    ("DATE DE REPONSE 30/06/2023", "2023-06-30T00:00:00+02:00"),
    ("30 juin 2023 à 12h00", "2023-06-30T12:00:00+02:00"),
    ("30 JUIN 2023 A 12H00", "2023-06-30T12:00:00+02:00"),
    ("le 6 juin 2023", "2023-06-06T00:00:00+02:00"),
    ("Publié le 6 juin 2023", "2023-06-06T00:00:00+02:00"),
    ("lundi 1er juin 2026 à 17h", "2026-06-01T17:00:00+02:00"),
    ("30 décembre 2016 à 16 heures", "2016-12-30T16:00:00+01:00"),
    ("le 30 juin 2023 à midi", "2023-06-30T12:00:00+02:00"),
    ("12 févr. 2025", "2025-02-12T00:00:00+01:00"),
    # English
    ("June 6, 2023", "2023-06-06T00:00:00+02:00"),
    ("Jun 6, 2023 5:00 PM", "2023-06-06T17:00:00+02:00"),
    ("6 June 2023", "2023-06-06T00:00:00+02:00"),
    # epoch
    (1721638994130, "2024-07-22T11:03:14.130000+02:00"),
    ("1721638994130", "2024-07-22T11:03:14.130000+02:00"),
    (1721638994, "2024-07-22T11:03:14+02:00"),
    # objects
    (date(2026, 1, 5), "2026-01-05T00:00:00+01:00"),
    (datetime(2026, 7, 1, 12), "2026-07-01T12:00:00+02:00"),
    (datetime(2026, 7, 1, 12, tzinfo=UTC), "2026-07-01T12:00:00+00:00"),
])
def test_parse_datetime(value, expected):
    assert iso(value) == expected


@pytest.mark.parametrize("value, delta", [
    ("il y a 3 jours", timedelta(days=-3)),
    ("Publié il y a 2 jours", timedelta(days=-2)),
    ("il y a une semaine", timedelta(weeks=-1)),
    ("il y a 2 heures", timedelta(hours=-2)),
    ("Publié aujourd'hui", timedelta(0)),
    ("Publié hier", timedelta(days=-1)),
    ("avant-hier", timedelta(days=-2)),
    ("Posted 2 days ago", timedelta(days=-2)),
    ("Posted 30+ Days Ago", timedelta(days=-30)),
    ("Posted Today", timedelta(0)),
    ("Posted Yesterday", timedelta(days=-1)),
    ("an hour ago", timedelta(hours=-1)),
    ("just posted", timedelta(0)),
    ("dans 3 jours", timedelta(days=3)),
])
def test_relative_dates_count_from_the_crawl(value, delta):
    # Counted on the Paris wall clock, so "3 days ago" is the same hour three days before,
    # whatever the DST change in between.
    assert parse_datetime(value, relative_base=CRAWL) == CRAWL.astimezone(PARIS) + delta


def test_relative_dates_across_the_dst_change_keep_the_day():
    # 3 days before 30 March 12:00 CEST is 27 March, in winter time.
    assert iso("il y a 3 jours") == "2026-03-27T12:00:00+01:00"


@pytest.mark.parametrize("value, expected", [
    ("2026-09-22", ("2026-09-22T23:59:59+02:00", False)),
    ("2026-01-22", ("2026-01-22T23:59:59+01:00", False)),
    ("30/06/2023", ("2023-06-30T23:59:59+02:00", False)),
    ("le 6 juin 2023", ("2023-06-06T23:59:59+02:00", False)),
    ("2026-09-16+02:00", ("2026-09-16T23:59:59+02:00", False)),  # end of day in its offset
    (["2026-09-16+02:00", "16:30:00+02:00"], ("2026-09-16T16:30:00+02:00", True)),
    ("30/06/2023 à 12h00", ("2023-06-30T12:00:00+02:00", True)),
    ("2026-09-22T10:00:00+00:00", ("2026-09-22T10:00:00+00:00", True)),
    (date(2026, 12, 31), ("2026-12-31T23:59:59+01:00", False)),
    ("dans 3 jours", ("2026-04-02T23:59:59+02:00", False)),
    # one deadline per lot: the earliest, so none is missed
    (["2026-10-01", "2026-09-15T12:00:00+02:00", "2026-11-01"],
     ("2026-09-15T12:00:00+02:00", True)),
    ([["2026-09-16+02:00", "16:30:00+02:00"], ["2026-09-10+02:00", "10:00:00+02:00"]],
     ("2026-09-10T10:00:00+02:00", True)),
])
def test_a_deadline_without_a_time_is_the_end_of_that_day(value, expected):
    assert deadline(value) == expected


def test_the_end_of_day_is_in_the_source_time_zone():
    assert deadline("2026-07-01", tz="America/New_York") == ("2026-07-01T23:59:59-04:00", False)
    assert deadline("2026-07-01", tz="UTC") == ("2026-07-01T23:59:59+00:00", False)


@pytest.mark.parametrize("value", [
    None, "", "   ", True, False, "xyz", "3", "juin", "2023", "31/02/2023", "2024-13-45",
    "99/99/9999", "Selon profil", [], {}, {"foo": "bar"}, float("nan"), -5, "0000-00-00",
    "32 juin 2023", "25:00", ["2026-09-16+02:00", "25:99"][1:],
])
def test_unreadable_values_give_none(value):
    assert parse_datetime(value, relative_base=CRAWL) is None
    assert parse_deadline(value, relative_base=CRAWL) is None


def test_every_result_is_aware():
    for value in ("2026-01-01", "2026-01-01T10:00", "01/01/2026", "1 janvier 2026", 1700000000):
        assert parse_datetime(value).utcoffset() is not None


# --- recorded samples ------------------------------------------------------------------------

def test_ted_dates():
    notice = json.loads(fixture(
        "tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json"))["notices"][0]
    assert iso(notice["publication-date"]) == "2026-08-06T00:00:00+02:00"
    pair = [notice["deadline-receipt-tender-date-lot"][0],
            notice["deadline-receipt-tender-time-lot"][0]]
    split = parse_deadline(pair)
    whole = parse_deadline(notice["deadline-receipt-request"][0])
    assert split == whole == (datetime(2026, 9, 16, 16, 30, tzinfo=timezone(timedelta(hours=2))),
                              True)
    # the lists as TED gives them, one element per lot
    assert parse_deadline([notice["deadline-receipt-tender-date-lot"],
                           notice["deadline-receipt-tender-time-lot"]]) == split


def test_boamp_deadline_is_the_same_instant_in_both_fields():
    record = json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))[
        "results"][0]
    management = json.loads(record["gestion"])["INDEXATION"]
    assert parse_deadline(record["datelimitereponse"]) == \
        (parse_datetime(management["DATE_LIMITE_REPONSE"]), True)
    assert iso(record["dateparution"]) == "2026-08-12T00:00:00+02:00"


def test_france_travail_and_ats_dates():
    offer = json.loads(fixture(
        "jobs/francetravail_offres_selected_edgecases_2025-11.json"))[0]
    assert parse_datetime(offer["dateCreation"]).tzinfo is not None
    lever = json.loads(fixture("jobs/lever_gotogroup_postings_2024-07-30_first5.json"))[0]
    assert iso(lever["createdAt"]) == "2024-07-22T11:03:14.130000+02:00"
    recruitee = json.loads(fixture("jobs/recruitee_manual_offers_2024-08-08_first6.json"))
    assert iso(recruitee["offers"][0]["published_at"]) == "2024-08-05T08:38:01+00:00"
    workday = json.loads(fixture(
        "jobs/workday_motorolasolutions_cxs_jobs_offset0_2024-08-08.json"))["jobPostings"]
    crawl = datetime(2024, 8, 8, 9, 0, tzinfo=UTC)
    posted = {job["postedOn"]: parse_datetime(job["postedOn"], relative_base=crawl).date()
              for job in workday}
    assert posted == {"Posted Today": date(2024, 8, 8), "Posted Yesterday": date(2024, 8, 7)}
    greenhouse = json.loads(fixture("jobs/greenhouse_codepath_jobs_list_2024-08-05.json"))
    assert iso(greenhouse["jobs"][0]["updated_at"]) == "2024-07-08T20:45:00-04:00"


def test_the_fast_paths_do_not_import_dateparser():
    code = """
import sys
from datetime import UTC, datetime
from aggregator.normalize import parse_datetime
base = datetime(2026, 3, 30, tzinfo=UTC)
for value in ("2026-09-16T16:30:00+02:00", "2026-08-06+02:00", "30/06/2023 à 12h00",
              "30 juin 2023", "il y a 3 jours", "Posted 2 days ago", 1721638994130):
    assert parse_datetime(value, relative_base=base) is not None, value
print("dateparser" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_dateparser_is_the_fallback_for_other_formats():
    assert iso("2025/03/12") == "2025-03-12T00:00:00+01:00"
    assert iso("30/06/23") == "2023-06-30T00:00:00+02:00"
