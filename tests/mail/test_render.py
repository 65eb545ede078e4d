"""Rendering a digest: the text part (golden file), the HTML part's escaping, the subject."""

from __future__ import annotations

import csv
import email
import io
from datetime import UTC, datetime
from email.policy import default as default_policy
from html import unescape as html_unescape
from pathlib import Path

import pytest
import time_machine

from aggregator import presentation
from aggregator.mail.contents import Digest, Entry
from aggregator.mail.render import (
    build_message,
    digest_view,
    render_html,
    render_text,
    subject_line,
    web_url,
)
from aggregator.presentation import place
from aggregator.terminal.listings import deadline_cell
from tests.mail.listings import NOW, assert_golden
from tests.mail.listings import in_memory as listing

GOLDEN = Path(__file__).parent / "golden"


def sample_digest() -> Digest:
    """Every section: new tenders (one seen on two sources), new jobs, changed, closing."""
    ted = listing(11, source="ted", source_id="123456-2026",
                  url="https://ted.europa.eu/fr/notice/-/detail/123456-2026", duplicate_of=2)
    entries = [
        Entry("new", listing(1, cpv=["45310000", "45311000", "45312000", "45315000",
                                     "45317000"])),
        Entry("new", listing(2, title="Maintenance des installations électriques",
                             deadline_at=datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
                             organization="Métropole Aix-Marseille-Provence",
                             city="Aix-en-Provence", postal_code="13090"), [ted]),
        Entry("new", listing(3, kind="job", source="francetravail", source_id="201XKLM",
                             url="https://candidat.francetravail.fr/offres/recherche/detail/201XKLM",
                             title="Électricien bâtiment H/F", organization="Elec Sud",
                             city="Aix-en-Provence", deadline_at=None, cpv=[],
                             contract_type="cdi", working_time="full_time")),
        Entry("new", listing(4, kind="job", source="greenhouse", source_id="4426707007",
                             title="Chef de chantier électricité", organization=None,
                             city=None, department=None, country="BE", deadline_at=datetime(
                                 2026, 12, 31, 23, 0, tzinfo=UTC), deadline_time_given=False,
                             cpv=[], contract_type="cdd")),
    ]
    moved = listing(5, title="Éclairage public", deadline_at=datetime(2026, 12, 22, 15, 30,
                                                                      tzinfo=UTC))
    entries.append(Entry("changed", moved, previous={
        "deadline_at": datetime(2026, 12, 15, 11, 0, tzinfo=UTC), "status": "open"}))
    cancelled = listing(6, title="Câblage réseau", status="cancelled")
    entries.append(Entry("changed", cancelled, previous={
        "deadline_at": cancelled.deadline_at, "status": "open"}))
    entries.append(Entry("closing", listing(7, title="Groupe électrogène",
                                            deadline_at=datetime(2026, 11, 28, 16, 0,
                                                                 tzinfo=UTC))))
    return Digest(alert_id=1, alert_name="Électricité 13", query="dep:13 électri*",
                  recipients=["achats@example.fr"], now=NOW, entries=entries,
                  broken_sources=["ted: twice in a row: failed: HTTP 503; last success "
                                  "26/11/2026 06:02. Its listings may be missing."])


def test_text_part_golden():
    assert_golden(GOLDEN / "digest.txt", render_text(digest_view(sample_digest())))


def test_text_part_in_the_message_is_the_rendered_one():
    data = build_message(sample_digest(), sender="veille@example.fr",
                         message_id="<digest.1@example.fr>")
    msg = email.message_from_bytes(data, policy=default_policy)
    text = msg.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == (GOLDEN / "digest.txt").read_text(encoding="utf-8")
    assert msg["Date"] == "Sat, 28 Nov 2026 10:00:00 +0100"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert max(len(line) for line in data.split(b"\r\n")) <= 78  # 7-bit, short lines
    data.decode("ascii")


def test_subject_counts():
    assert subject_line(sample_digest()) == \
        "2 new tenders, 2 new jobs, 2 changed, 1 closing soon — Électricité 13"
    one = Digest(1, "BTP", "", [], NOW, entries=[Entry("new", listing(1))])
    assert subject_line(one) == "1 new tender — BTP"


@pytest.mark.parametrize("hostile, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[bold red]Alerte[/bold red]", "[bold red]Alerte[/bold red]"),
    ("\x1b[2J\x1b[31mRouge\x1b[0m", "Rouge"),
    ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ("{{ 7*7 }} {% raw %}", "{{ 7*7 }} {% raw %}"),  # data, not template code
])
def test_html_shows_hostile_text_as_text(hostile, shown):
    digest = Digest(1, "BTP <b>", hostile, [], NOW, entries=[
        Entry("new", listing(1, title=hostile, organization=hostile))])
    html = render_html(digest_view(digest))
    assert html.count(shown) >= 2
    assert "<script>" not in html and "<img" not in html and "\x1b" not in html
    assert "BTP &lt;b&gt;" in html
    text = render_text(digest_view(digest))
    assert "\x1b" not in text


@pytest.mark.parametrize("url, kept", [
    ("https://www.boamp.fr/avis/1", True), ("http://example.fr", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:alert(1)", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False), ("  vbscript:x", False), (None, False),
])
def test_only_web_links_become_links(url, kept):
    assert (web_url(url) is not None) is kept


def test_a_huge_digest_lists_the_soonest_and_attaches_everything(monkeypatch):
    monkeypatch.setattr("aggregator.mail.render.SECTION_LIMIT", 3)
    entries = [Entry("new", listing(i, deadline_at=datetime(2026, 12, 1 + i, 11, tzinfo=UTC)))
               for i in range(1, 8)]
    digest = Digest(1, "BTP", "", ["a@example.fr"], NOW, entries=entries)
    text = render_text(digest_view(digest))
    assert "New tenders (7)" in text
    assert "Travaux d'électricité 3\n" in text and "Travaux d'électricité 4\n" not in text
    assert "... and 4 more, all in the attached matches.csv." in text
    assert "… and 4 more" in render_html(digest_view(digest))
    msg = email.message_from_bytes(build_message(digest, sender="v@example.fr",
                                                 message_id="<d.1@example.fr>"),
                                   policy=default_policy)
    (csv_part, _) = msg.iter_attachments()
    assert csv_part.get_content().count("\r\n") == 8  # header + every listing


# --- The digest reads as the CLI and the TUI (one set of helpers: aggregator.presentation) ---

def test_places_read_by_name():
    remote = listing(1, kind="job", title="Développeur Python", organization="ACME", city=None,
                     postal_code=None, department=None, region=None, country=None,
                     remote=True, deadline_at=None, cpv=[], contract_type="cdi")
    arrondissement = listing(2, city="Marseille 13e Arrondissement", postal_code="13013")
    abroad = listing(3, city="Bruxelles", postal_code="1000", department=None, region=None,
                     country="BE")
    no_commune = listing(4, city=None, postal_code=None, department="83", region="93")
    paris = listing(5, city="Paris", postal_code="75011", department="75", region="11")
    paris_16 = listing(6, city="Paris 16e Arrondissement", postal_code="75016",
                       department="75", region="11")
    digest = Digest(1, "BTP", "", [], NOW, entries=[
        Entry("new", item)
        for item in (remote, arrondissement, abroad, no_commune, paris, paris_16)])
    text = render_text(digest_view(digest))
    html = render_html(digest_view(digest))
    for item, shown in ((remote, "ACME — remote"),
                        (arrondissement, "Ville de Marseille — Marseille 13e (Bouches-du-Rhône)"),
                        (abroad, "Ville de Marseille — Bruxelles (Belgium)"),
                        (no_commune, "Ville de Marseille — Var, Provence-Alpes-Côte d&#39;Azur"),
                        (paris, "Ville de Marseille — Paris"),  # not "Paris (Paris)"
                        (paris_16, "Ville de Marseille — Paris 16e")):  # nor "… (Paris)"
        plain = html_unescape(shown)
        assert f"\n  {plain}\n" in text and f"<div>{shown}</div>" in html
        assert plain.endswith(place(item, named=True))


def test_a_deadline_passed_today_is_passed_everywhere():
    """Open in the store but its deadline passed at 09:00 (the store closes it after the next
    crawl): neither "today" nor closing soon, in the digest as in the CLI."""
    passed = listing(1, deadline_at=datetime(2026, 11, 28, 8, 0, tzinfo=UTC))  # 09:00 Paris
    later = listing(2, deadline_at=datetime(2026, 11, 28, 16, 0, tzinfo=UTC))  # 17:00 Paris
    digest = Digest(1, "BTP", "", [], NOW, entries=[
        Entry("changed", passed, previous={"deadline_at": later.deadline_at,
                                           "status": "open"}),
        Entry("closing", later)])
    view = digest_view(digest)
    (changed,), (closing,) = (section.entries for section in view.sections)
    assert (changed.deadline, changed.days_left, changed.urgent) == (
        "28/11/2026 09:00", "passed", False)
    assert (closing.deadline, closing.days_left, closing.urgent) == (
        "28/11/2026 17:00", "today", True)
    with time_machine.travel(NOW, tick=False):
        assert deadline_cell(passed).plain == "28/11/2026 09:00 (passed)"
        assert deadline_cell(passed).style == ""  # not closing soon: it is over
        assert deadline_cell(later).plain == "28/11/2026 17:00 (today)"
        assert deadline_cell(later).style == "bold red"
        assert presentation.deadline_text(passed, short=True) == "28/11/26 09:00"  # the TUI column


@pytest.mark.parametrize(("lang", "lines"), [
    ("fr", ["  Pourquoi, titre : Travaux d'*électricité*\n",
            "  Pourquoi, lieu : *Marseille 1er* → dep:13\n",
            "  Pourquoi, date limite : *03/12/2026 12:00 (5 j)* → deadline<15d\n"]),
    ("en", ["  Why, title: Travaux d'*électricité*\n",
            "  Why, place: *Marseille 1er* → dep:13\n",
            "  Why, deadline: *03/12/2026 12:00 (5d)* → deadline<15d\n"]),
])
def test_why_an_entry_matched_is_labelled_in_the_readers_language(request, lang, lines):
    from aggregator.query.why import DeadlineMatch, Highlight, KeyMatch, Why

    if lang == "fr":  # French by default
        request.getfixturevalue("default_language")
    why = Why(text=[Highlight("title", "Travaux d'électricité", ((10, 21),))],
              places=[KeyMatch("Marseille 1er", "dep:13")],
              deadline=DeadlineMatch(f"03/12/2026 12:00 ({'5 j' if lang == 'fr' else '5d'})",
                                     ("deadline<15d",)))
    digest = Digest(1, "BTP", "dep:13 électri*", [], NOW,
                    entries=[Entry("new", listing(1), why=why)])
    text = render_text(digest_view(digest))
    for line in lines:
        assert line in text
    html = render_html(digest_view(digest))
    assert f"{lines[0].split(' Travaux')[0].strip()} Travaux d&#39;<strong>" in html


def test_a_french_digest_says_status_changes_pay_and_awards_in_french(default_language):
    job = listing(3, kind="job", source="francetravail", title="Électricien bâtiment H/F",
                  cpv=[], contract_type="cdi", working_time="full_time", salary_min=2200,
                  salary_max=2600, salary_currency="EUR", salary_period="month",
                  salary_basis="gross")
    cancelled = listing(6, title="Câblage réseau", status="cancelled", deadline_at=None)
    award = listing(7, kind="award", title="Maintenance éclairage", amount=90000,
                    ends_at=datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
                    suppliers=[{"id": "1", "name": "EURO IIS"}])
    digest = Digest(1, "BTP", "électri*", [], NOW, entries=[
        Entry("new", job), Entry("new", award),
        Entry("changed", cancelled, previous={
            "deadline_at": datetime(2026, 12, 15, 11, 0, tzinfo=UTC), "status": "open"})])
    text = render_text(digest_view(digest)).replace("\u202f", " ")  # either space will do
    assert "  CDI, temps plein · 2 200–2 600 € brut par mois\n" in text
    assert "Recherche enregistrée « BTP » : électri*\n" in text
    assert "  Statut : annulée\n" in text
    assert "  Modifié : date limite 15/12/2026 12:00 → aucune; statut ouverte → annulée\n" in text
    assert "  fin le 01/12/2026 · EURO IIS · 90 000 €\n" in text
    html = render_html(digest_view(digest))
    assert "<strong>annulée</strong>" in html and "brut par mois" in html


def test_an_alert_run_is_described_in_the_readers_language(default_language, tmp_path):
    from aggregator.mail.digests import AlertRun, Attempt

    run = AlertRun("BTP", "sent", [Attempt("<1@x>", "sent", ["achats@example.fr"],
                                           {"bureau@example.fr": "550 No such user"}, None)],
                   {"new_tender": 2, "changed": 1}, [tmp_path / "btp.eml"])
    assert run.describe() == (
        "BTP : envoyée — (2 nouveaux appels d'offres, 1 modifiée) — <1@x> accepté pour "
        f"achats@example.fr — bureau@example.fr refusée : 550 No such user — écrit "
        f"{tmp_path / 'btp.eml'}")
    assert AlertRun("BTP", "dry-run").describe() == "BTP : essai à blanc"


def test_a_digest_without_deadlines_says_no_calendar_is_attached():
    job = listing(3, kind="job", source="francetravail", cpv=[], deadline_at=None)
    digest = Digest(1, "Dev", "kind:job", ["moi@example.fr"], NOW, entries=[Entry("new", job)])
    message = email.message_from_bytes(build_message(digest, sender="veille@example.fr",
                                                     message_id="<1@x>"),
                                       policy=default_policy)
    assert [p.get_filename() for p in message.iter_attachments()] == ["matches.csv"]
    text = message.get_body(("plain",)).get_content()
    assert "The matches are attached as CSV.\r\n" in text and "calendar" not in text
    assert "as a calendar" in render_text(digest_view(Digest(
        1, "BTP", "kind:tender", ["moi@example.fr"], NOW, entries=[Entry("new", listing(1))])))


def test_a_french_digest_attaches_a_csv_a_french_spreadsheet_splits(default_language):
    tender = listing(1, estimated_value=1250.5)
    digest = Digest(1, "BTP", "kind:tender", ["moi@example.fr"], NOW,
                    entries=[Entry("new", tender)])
    message = email.message_from_bytes(build_message(digest, sender="veille@example.fr",
                                                     message_id="<1@x>"),
                                       policy=default_policy)
    (attachment,) = [p for p in message.iter_attachments() if p.get_filename() == "matches.csv"]
    text = attachment.get_content()
    assert text.startswith('\ufeff"kind";"source";')
    header, row = csv.reader(io.StringIO(text[1:], newline=""), delimiter=";")
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == tender.title and cells["estimated_value"] == "1250,5"
