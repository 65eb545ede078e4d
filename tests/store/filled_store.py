"""A store holding every kind of row, written the way the application writes them: crawl
runs, listings through normalize_listing → ListingWriter (history, CPV codes, match keys,
duplicates linked across sources), saved searches whose digests went through a real SMTP
server (sent records) or are still in the outbox, a scheduler job and a scheduler lock."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, create_engine, func, insert, null, select, text, update
from sqlalchemy.engine import make_url

from aggregator.mail.alerts import add_alert
from aggregator.mail.digests import send_due_digests
from aggregator.normalize import normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.locks import acquire
from aggregator.store.models import AlertDelivery, Listing, SchedulerJob
from aggregator.store.runs import finish_run, start_run
from aggregator.store.state import set_recorded_as_of
from aggregator.store.writer import ListingWriter
from tests.factories import NOW, item
from tests.mail.conftest import SmtpServer, config_for

# with the 8 others, 1,207 rows: several copy batches and a sample spread over the range
BULK = 1199
TOWNS = ["Marseille 13e", "Nice (06)", "Lyon 3e", "Paris", "Bordeaux", "Rennes"]


def bulk_items(n: int = BULK) -> list[dict]:
    words = ["peinture", "plomberie", "voirie", "nettoyage", "chauffage", "menuiserie"]
    return [item(f"b-{i:05d}", title=f"Travaux de {words[i % 6]} lot {i}",
                 location=TOWNS[i % len(TOWNS)], cpv=[f"4{i % 6}000000"],
                 deadline_at=(NOW + timedelta(days=1 + i % 40)).isoformat(),
                 description=f"<p>Marché n° {i} : {words[(i * 7) % 6]} des bâtiments.</p>",
                 lots=[{"number": 1, "title": f"Lot {i}"}] if i % 3 else [],
                 raw={"id": i, "nested": {"values": [i, i / 3, None, True]}})
            for i in range(n)]


SPECIAL = [
    item("elec-13e", title="Travaux d'électricité du groupe scolaire",
         location="Marseille 13e", deadline_at="2026-04-03T12:00:00+02:00",
         cpv=["45310000", "45311000"], match_keys=["proc:1"],
         description="Mise en conformité des tableaux électriques."),
    item("aix", title="Maintenance des ascenseurs", location="Aix-en-Provence (13)",
         description="Y compris l'ÉLECTRICITÉ des machineries.", cpv=["50750000"],
         # as BOAMP gives them (tests/fixtures/tenders/boamp_explore_v21_records_recent_first2)
         descriptors=[{"code": "274", "label": "Prestations de services"}],
         deadline_at="2026-03-31T12:00:00+02:00"),
    item("paris11", kind="job", source="francetravail", title="Électricien F/H",
         location="Paris", postal_code="75011", contract_type="CDI",
         salary="Mensuel de 2200.0 Euros à 2600.0 Euros sur 12.0 mois",
         organization="Groupe ADP", published_at="2026-03-25T09:00:00+01:00"),
    item("nice", title="Maîtrise d'œuvre du stade", location="Nice (06)",
         deadline_at="2026-03-29T00:00:00+01:00", cpv=["71000000"]),
]
DUPLICATES = [  # the same procedure on two more sources, crawled later
    item("elec-13e-ted", source="ted", title="Travaux d'électricité du groupe scolaire (TED)",
         location="Marseille 13e", deadline_at="2026-04-03T12:00:00+02:00",
         cpv=["45310000"], match_keys=["proc:1"]),
    item("elec-13e-ocds", source="ocds", title="Électricité — groupe scolaire",
         location="Marseille 13e", deadline_at="2026-04-03T12:00:00+02:00",
         match_keys=["proc:1", "ocds:xyz"]),
]


AWARDS = [  # a DECP contract, amended once: award columns, suppliers and dated history
    item("21590392300013-2018A9FKRZH5Sn00", kind="award", source="decp",
         title="Vidéo surveillance", buyer_id="21590392300013", amount=14786,
         awarded_at="2018-09-24", duration_months=3, nature="Marché", offers_received=2,
         suppliers=[{"id": "42241454000035", "id_type": "SIRET", "name": "EURO IIS"}],
         amendments=[{"date": "2018-11-23", "amount": 15786, "duration_months": 4}]),
]


def _records(items: list[dict], crawled: datetime) -> list[dict]:
    return [normalize_listing(i, crawled_at=crawled) | {"scope": None} for i in items]


def _crawl(engine: Engine, source: str, items: list[dict], when: datetime, **run) -> int:
    run_id = start_run(engine, source, args={"since": "2026-03-01"}, started_at=when)
    result = ListingWriter(engine).write(_records(items, when), run_id=run_id,
                                         now=when.astimezone(UTC))
    finish_run(engine, run_id, outcome=run.pop("outcome", "ok"), complete=True,
               items_seen=len(items), items_new=result.new, items_updated=result.updated,
               items_unchanged=result.unchanged, finished_at=when + timedelta(minutes=3),
               dropped_reasons={"no title": 2}, stats={"downloader/request_count": 12,
                                                       "finish_reason": "finished"}, **run)
    return run_id


def fill(engine: Engine) -> None:
    """Everything the copy must carry, as of NOW (Friday 27 March 2026, 10:00 Paris)."""
    day1, day2 = NOW - timedelta(days=2), NOW - timedelta(days=1)
    _crawl(engine, "boamp", SPECIAL + bulk_items(), day1)
    _crawl(engine, "ted", DUPLICATES[:1], day1 + timedelta(hours=1))
    _crawl(engine, "decp", AWARDS, day1 + timedelta(hours=2))
    # A re-crawl: a corrigendum moves a deadline and renames a title → listing_changes rows
    moved = [i | {"deadline_at": "2026-04-10T12:00:00+02:00"} if i["source_id"] == "elec-13e"
             else i for i in SPECIAL]
    renamed = [i | {"title": i["title"] + " (rectificatif)"} for i in bulk_items(30)]
    _crawl(engine, "boamp", moved + renamed, day2)
    _crawl(engine, "ocds", DUPLICATES[1:], day2 + timedelta(hours=1), outcome="partial",
           errors=1, error_summary="HTTP 503 on page 2")
    unconfigured = start_run(engine, "francetravail", started_at=day2)
    finish_run(engine, unconfigured, outcome="unconfigured",
               error_summary="FRANCE_TRAVAIL_CLIENT_ID is not set", finished_at=day2)
    running = start_run(engine, "lever", started_at=NOW - timedelta(minutes=5))  # noqa: F841

    with engine.begin() as conn:
        first, last = conn.execute(select(func.min(Listing.id), func.max(Listing.id))).one()
        # a link to a row written later than itself (not what the writer does, but valid)
        conn.execute(update(Listing).where(Listing.id == first + 5).values(duplicate_of=last))
        # SQL NULL, not JSON null, in a JSON column
        conn.execute(update(Listing).where(Listing.id == first + 6).values(raw=null()))
        conn.execute(update(Listing).where(Listing.id == first + 7).values(starred=True))
        conn.execute(update(Listing).where(Listing.id == first + 8).values(hidden=True))
        conn.execute(insert(SchedulerJob), [
            {"id": "crawl:boamp", "next_run_time": NOW.timestamp() + 3600.25,
             "job_state": pickle.dumps({"id": "crawl:boamp", "args": ("boamp",)})}])
    acquire(engine, "crawl:boamp", "host:1234:abcd", now=NOW)
    set_recorded_as_of(engine, day1)  # as a replay leaves it

    server = SmtpServer().start()
    try:
        config = config_for(server.port)
        add_alert(engine, "elec-13", "électricité dep:13", "a@example.fr, b@example.fr",
                  now=day1)
        add_alert(engine, "jobs", "kind:job", ["c@example.fr"], "weekly", now=day1)
        summary = send_due_digests(engine, config, NOW - timedelta(hours=2), force=True)
        assert [run.outcome for run in summary.runs] == ["sent", "sent"], summary
    finally:
        server.stop()
    # a new listing for the alert, and the server down: the digest stays in the outbox
    _crawl(engine, "boamp", [item("elec-late", title="Électricité du gymnase",
                                  location="Marseille 13e",
                                  deadline_at="2026-05-01T12:00:00+02:00")], NOW)
    summary = send_due_digests(engine, config, NOW, force=True, names=["elec-13"])
    assert [run.outcome for run in summary.runs] == ["pending"], summary
    with engine.connect() as conn:
        statuses = conn.execute(select(AlertDelivery.status).order_by(AlertDelivery.id)).all()
    assert [s for (s,) in statuses] == ["sent", "sent", "pending"]


def filled_sqlite(directory: Path) -> str:
    """A SQLite store in ``directory`` filled by :func:`fill` (isolated from any config)."""
    config = directory / "empty.toml"
    config.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp, time_machine.travel(NOW, tick=False):
        mp.setenv("AGGREGATOR_CONFIG", str(config))
        url = f"sqlite:///{directory}/source.sqlite3"
        fill(get_engine(url))
    return url


@contextmanager
def scratch_postgres(postgres_url: str) -> Iterator[str]:
    """A database of its own on the test server (a copy target must be empty), dropped after."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"{make_url(postgres_url).database}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
