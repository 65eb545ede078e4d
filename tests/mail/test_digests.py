"""Digests against a real SMTP server: never missed, never sent twice.

Each test stores listings the way a crawl does, saves an alert, and runs
``send_due_digests`` (what the scheduler calls) against aiosmtpd on 127.0.0.1.
"""

from __future__ import annotations

import csv
import email
import io
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import icalendar
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aggregator.config import ScheduleConfig
from aggregator.mail import digests
from aggregator.mail.alerts import add_alert
from aggregator.mail.digests import send_due_digests
from aggregator.scheduling.steps import send_digests
from aggregator.store.models import AlertDelivery, AlertSent, CrawlRun, Listing
from tests.mail.conftest import SmtpServer, config_for, free_port
from tests.mail.listings import NOW, job, store, tender

pytestmark = pytest.mark.usefixtures("frozen")

QUERY = "dep:13 électri*"
TO = "achats@example.fr,bureau@example.fr"


def message(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=default_policy)


def parts(msg: EmailMessage) -> dict[str, object]:
    """text, html, csv (rows), ics (calendar) of a digest."""
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    attachments = {a.get_filename(): a for a in msg.iter_attachments()}
    rows = list(csv.DictReader(io.StringIO(
        attachments["matches.csv"].get_content().lstrip("\ufeff"))))
    calendar = icalendar.Calendar.from_ical(attachments["deadlines.ics"].get_content())
    return {"text": text, "html": html, "csv": rows, "ics": calendar,
            "attachments": attachments}


def sent_records(engine) -> dict[int, AlertSent]:
    with Session(engine) as session:
        return {r.listing_id: r for r in session.scalars(select(AlertSent))}


def outbox(engine) -> list[AlertDelivery]:
    with Session(engine) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


@pytest.fixture
def stored(engine):
    """Two tenders and a job in the Bouches-du-Rhône, one tender elsewhere (no match)."""
    return store(engine,
                 tender("26-1"),
                 tender("26-2", deadline_at="2026-12-03T12:00:00+01:00",
                        cpv=["45311000", "45315000"]),
                 tender("26-3", location="Lille", postal_code="59000"),
                 job("J1"))


def test_received_digest_parses_with_both_parts_and_both_attachments(
        engine, stored, smtp_server, mail_config):
    add_alert(engine, "Électricité 13", QUERY, TO)

    summary = send_due_digests(engine, mail_config, NOW)

    assert summary.ok and summary.sent == 1
    (received,) = smtp_server.handler.received
    assert received.mail_from == "veille@example.fr"
    assert sorted(received.rcpt_tos) == ["achats@example.fr", "bureau@example.fr"]
    msg = message(received.data)
    assert msg["Subject"] == "2 new tenders, 1 new job — Électricité 13"
    assert msg["Message-ID"] == "<digest.1@example.fr>"
    assert msg["From"] == "Veille BTP <veille@example.fr>"
    assert msg.get_content_type() == "multipart/mixed"
    (alternative, *_) = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain",
                                                                        "text/html"]
    got = parts(msg)
    assert set(got["attachments"]) == {"matches.csv", "deadlines.ics"}
    assert got["attachments"]["deadlines.ics"].get_content_type() == "text/calendar"
    assert got["attachments"]["deadlines.ics"].get_param("method") == "PUBLISH"
    # the matches, soonest deadline first, the job (no deadline) last
    assert [r["source_id"] for r in got["csv"]] == ["26-2", "26-1", "J1"]
    events = got["ics"].walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Tender deadline: Travaux d'électricité 26-1",
        "Tender deadline: Travaux d'électricité 26-2"]
    assert "26-3" not in got["text"]
    text = got["text"]
    assert text.index("New tenders (2)") < text.index("26-2") < text.index("26-1") \
        < text.index("New jobs (1)") < text.index("J1")
    assert "Deadline: 03/12/2026 12:00 (5 days left)" in text
    assert "CPV 45311000 Electrical wiring and fitting work\r\n  CPV 45315000 " in text
    # why each entry matched the alert's query "dep:13 électri*"
    assert "  Why, title: Travaux d'*électricité* 26-2\r\n" in text
    assert "  Why, place: *Marseille 1er* → dep:13\r\n" in text
    assert "Why, title: Travaux d&#39;<strong>électricité</strong> 26-2" in got["html"]
    # the sent records: every listing, with the deadline and status it was sent with
    records = sent_records(engine)
    ids = {r.source_id: r.id for r in stored}
    assert set(records) == {ids["26-1"], ids["26-2"], ids["J1"]}
    assert records[ids["26-2"]].deadline_at == stored[1].deadline_at
    assert {r.status for r in records.values()} == {"open"}
    (delivery,) = outbox(engine)
    assert delivery.status == "sent" and delivery.message_id == "<digest.1@example.fr>"
    assert delivery.sent_at == NOW


def test_a_digest_with_no_deadline_attaches_no_calendar(engine, stored, smtp_server,
                                                       mail_config):
    # the job has no deadline: an empty calendar is not valid iCalendar (RFC 5545)
    add_alert(engine, "Emplois", "kind:job dep:13", TO)

    assert send_due_digests(engine, mail_config, NOW).sent == 1
    (received,) = smtp_server.handler.received
    msg = message(received.data)
    attachments = {a.get_filename(): a for a in msg.iter_attachments()}
    assert set(attachments) == {"matches.csv"}
    assert "Électricien bâtiment J1" in msg.get_body(("plain",)).get_content()
    assert b"BEGIN:VCALENDAR" not in received.data


def test_html_escapes_hostile_listing_text(engine, stored, smtp_server, mail_config):
    ids = {r.source_id: r.id for r in stored}
    with engine.begin() as conn:  # as if a source had sent these (the renderer must cope)
        conn.execute(update(Listing).where(Listing.id == ids["26-1"]).values(
            title='<script>alert("x")</script> [bold]Gras[/bold] \x1b[31mRouge\x1b[0m',
            organization="<img src=x onerror=alert(1)>", url="javascript:alert(1)"))
        conn.execute(update(Listing).where(Listing.id == ids["J1"]).values(
            title="Électricien \x1b]8;;http://evil.example\x07lien\x1b]8;;\x07 & co"))
    add_alert(engine, "Électricité 13", "dep:13", TO)

    send_due_digests(engine, mail_config, NOW)

    got = parts(message(smtp_server.handler.received[0].data))
    html, text = got["html"], got["text"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[bold]Gras[/bold] Rouge" in html  # markup-like text shown as typed
    assert "javascript:" not in html
    assert "Électricien lien &amp; co" in html
    for part in (html, text):
        assert "\x1b" not in part and "\x07" not in part
    assert '<script>alert("x")</script> [bold]Gras[/bold] Rouge' in text
    assert "evil.example" not in text + html


def test_second_run_sends_nothing_new_then_only_what_is_new(engine, stored, smtp_server,
                                                            mail_config):
    add_alert(engine, "Électricité 13", QUERY, TO)
    send_due_digests(engine, mail_config, NOW)

    again = send_due_digests(engine, mail_config, NOW + timedelta(days=1))

    assert again.sent == 0 and [r.outcome for r in again.runs] == ["nothing"]
    assert len(smtp_server.handler.received) == 1
    # a re-crawl of the same listings changes nothing; a new one is sent alone
    store(engine, tender("26-1"), tender("26-4", title="Électricité école"),
          now=NOW + timedelta(days=2))
    third = send_due_digests(engine, mail_config, NOW + timedelta(days=2))
    assert third.sent == 1
    latest = parts(message(smtp_server.handler.received[-1].data))
    assert [r["source_id"] for r in latest["csv"]] == ["26-4"]
    assert message(smtp_server.handler.received[-1].data)["Subject"] == \
        "1 new tender — Électricité 13"


def test_server_down_sends_nothing_marks_nothing_and_the_next_run_sends_all(engine, stored):
    port = free_port()  # nothing listens there yet
    config = config_for(port)
    add_alert(engine, "Électricité 13", QUERY, TO)

    down = send_due_digests(engine, config, NOW)

    assert down.sent == 0 and [r.outcome for r in down.runs] == ["pending"]
    assert down.runs[0].attempts[0].error.endswith(" (none): connection refused")
    assert sent_records(engine) == {}
    (pending,) = outbox(engine)
    assert pending.status == "pending" and pending.attempts == 1
    # the next run (the server is back) sends the very message built the first time
    server = SmtpServer(port).start()
    try:
        store(engine, tender("26-5"), now=NOW + timedelta(hours=1))  # arrives meanwhile
        up = send_due_digests(engine, config, NOW + timedelta(hours=1))
    finally:
        server.stop()
    assert up.sent == 2
    first, second = (message(r.data) for r in server.handler.received)
    assert first["Message-ID"] == "<digest.1@example.fr>"
    assert [r["source_id"] for r in parts(first)["csv"]] == ["26-2", "26-1", "J1"]
    # what arrived meanwhile goes in a digest of its own, after the pending one
    assert [r["source_id"] for r in parts(second)["csv"]] == ["26-5"]
    assert len(sent_records(engine)) == 4
    assert [d.status for d in outbox(engine)] == ["sent", "sent"]


def test_a_permanently_refused_recipient_is_reported_and_nobody_gets_a_duplicate(
        engine, stored, smtp_server, mail_config):
    smtp_server.handler.refuse["bureau@example.fr"] = "550 5.1.1 No such user here"
    add_alert(engine, "Électricité 13", QUERY, TO)

    first = send_due_digests(engine, mail_config, NOW)

    assert not first.ok
    (run,) = first.runs
    assert run.outcome == "sent"
    assert run.attempts[0].refused == {"bureau@example.fr": "550 5.1.1 No such user here"}
    assert "bureau@example.fr refused: 550 5.1.1 No such user here" in str(first)
    assert len(smtp_server.handler.to("achats@example.fr")) == 1
    assert smtp_server.handler.to("bureau@example.fr") == []
    assert len(sent_records(engine)) == 3  # the digest was delivered: its listings are sent
    second = send_due_digests(engine, mail_config, NOW + timedelta(days=1))
    assert second.sent == 0
    assert len(smtp_server.handler.received) == 1


def test_a_temporarily_refused_recipient_gets_the_same_message_later_alone(
        engine, stored, smtp_server, mail_config):
    smtp_server.handler.refuse["bureau@example.fr"] = "452 4.2.2 Mailbox full"
    add_alert(engine, "Électricité 13", QUERY, TO)

    first = send_due_digests(engine, mail_config, NOW)

    assert [r.outcome for r in first.runs] == ["pending"]
    assert "bureau@example.fr refused: 452 4.2.2 Mailbox full" in str(first)
    assert sent_records(engine) == {}  # not delivered to everyone yet
    (delivery,) = outbox(engine)
    assert delivery.delivered_to == ["achats@example.fr"]

    del smtp_server.handler.refuse["bureau@example.fr"]
    second = send_due_digests(engine, mail_config, NOW + timedelta(hours=2))

    assert second.sent == 1
    assert len(smtp_server.handler.to("achats@example.fr")) == 1  # no duplicate
    (late,) = smtp_server.handler.to("bureau@example.fr")
    assert late.rcpt_tos == ["bureau@example.fr"]
    assert message(late.data)["Message-ID"] == "<digest.1@example.fr>"
    assert late.data == smtp_server.handler.received[0].data  # the very same message
    assert len(sent_records(engine)) == 3
    assert send_due_digests(engine, mail_config, NOW + timedelta(days=1)).sent == 0


def test_every_recipient_refused_for_good_marks_nothing(engine, stored, smtp_server,
                                                       mail_config):
    for address in TO.split(","):
        smtp_server.handler.refuse[address] = "550 5.7.1 Relaying denied"
    add_alert(engine, "Électricité 13", QUERY, TO)

    run = send_due_digests(engine, mail_config, NOW)

    assert [r.outcome for r in run.runs] == ["failed"]
    assert sent_records(engine) == {}
    assert [d.status for d in outbox(engine)] == ["failed"]
    smtp_server.handler.refuse.clear()  # addresses fixed: the listings are still unsent
    assert send_due_digests(engine, mail_config, NOW + timedelta(days=1)).sent == 1
    assert len(parts(message(smtp_server.handler.received[-1].data))["csv"]) == 3


@pytest.mark.parametrize("reply, outcome, status", [
    ("451 4.3.0 Try again later", "pending", "pending"),
    ("554 5.6.0 Message refused", "failed", "failed"),
])
def test_a_refused_message_marks_nothing(engine, stored, smtp_server, mail_config, reply,
                                         outcome, status):
    smtp_server.handler.refuse_data = reply
    add_alert(engine, "Électricité 13", QUERY, TO)

    run = send_due_digests(engine, mail_config, NOW)

    assert [r.outcome for r in run.runs] == [outcome]
    assert reply in str(run)
    assert sent_records(engine) == {}
    assert [d.status for d in outbox(engine)] == [status]
    smtp_server.handler.refuse_data = None
    assert send_due_digests(engine, mail_config, NOW + timedelta(days=1)).sent == 1
    (received,) = smtp_server.handler.received
    # a temporary refusal: the stored message goes; a permanent one: a new digest
    assert message(received.data)["Message-ID"] == (
        "<digest.1@example.fr>" if status == "pending" else "<digest.2@example.fr>")
    assert len(sent_records(engine)) == 3


def test_a_crash_between_send_and_record_resends_the_very_same_message(
        engine, stored, smtp_server, mail_config, monkeypatch):
    add_alert(engine, "Électricité 13", QUERY, TO)
    real_finish = digests.finish_delivery

    def crash(*args, **kwargs):
        raise RuntimeError("process killed before recording")

    monkeypatch.setattr(digests, "finish_delivery", crash)
    crashed = send_due_digests(engine, mail_config, NOW)

    assert [r.outcome for r in crashed.runs] == ["failed"]
    assert "process killed" in str(crashed)
    assert len(smtp_server.handler.received) == 1  # the server had accepted it
    assert sent_records(engine) == {}

    monkeypatch.setattr(digests, "finish_delivery", real_finish)
    store(engine, tender("26-6"), now=NOW + timedelta(hours=1))  # must not join the resend
    retry = send_due_digests(engine, mail_config, NOW + timedelta(hours=1))

    first, again, *rest = smtp_server.handler.received
    assert message(again.data)["Message-ID"] == message(first.data)["Message-ID"] \
        == "<digest.1@example.fr>"
    assert again.data == first.data  # same bytes: same Date, same content, same attachments
    assert retry.sent == 2
    assert [[r["source_id"] for r in parts(message(m.data))["csv"]] for m in rest] == [["26-6"]]
    assert len(sent_records(engine)) == 4
    assert send_due_digests(engine, mail_config, NOW + timedelta(days=1)).sent == 0


def test_cross_source_duplicates_are_one_entry_listing_every_source(
        engine, smtp_server, mail_config):
    key = "procedure:8322a903"
    store(engine, tender("26-7", match_keys=[key]))
    store(engine, tender("TED-7", source="ted", url="https://ted.europa.eu/fr/notice/-/detail/7",
                         match_keys=[key]), now=NOW + timedelta(minutes=5))
    add_alert(engine, "Électricité 13", QUERY, TO)

    send_due_digests(engine, mail_config, NOW + timedelta(minutes=10))

    got = parts(message(smtp_server.handler.received[0].data))
    assert [r["source_id"] for r in got["csv"]] == ["26-7"]
    assert "Sources: boamp, ted" in got["text"]
    assert 'href="https://ted.europa.eu/fr/notice/-/detail/7">ted</a>' in got["html"]
    assert len(sent_records(engine)) == 2  # both listings of the group count as sent
    # a third source joining the group later does not send it again
    store(engine, tender("OCDS-7", source="ocds", match_keys=[key]),
          now=NOW + timedelta(days=1))
    assert send_due_digests(engine, mail_config, NOW + timedelta(days=1)).sent == 0


def test_changed_since_sent_lists_moved_deadlines_and_cancellations(
        engine, stored, smtp_server, mail_config):
    add_alert(engine, "Électricité 13", QUERY, TO)
    send_due_digests(engine, mail_config, NOW)
    later = NOW + timedelta(days=1)
    store(engine, tender("26-1", deadline_at="2026-12-22T16:30:00+01:00"),
          tender("26-2", deadline_at="2026-12-03T12:00:00+01:00", cpv=["45311000", "45315000"],
                 status="cancelled"), now=later)

    run = send_due_digests(engine, mail_config, later)

    assert run.sent == 1
    msg = message(smtp_server.handler.received[-1].data)
    assert msg["Subject"] == "2 changed — Électricité 13"
    text = parts(msg)["text"]
    assert "Changed since sent (2)" in text
    assert "Changed: deadline 15/12/2026 12:00 → 22/12/2026 16:30" in text
    assert "Changed: status open → cancelled" in text
    assert "Status: cancelled" in text
    records = sent_records(engine)
    ids = {r.source_id: r.id for r in stored}
    assert records[ids["26-2"]].status == "cancelled"
    assert send_due_digests(engine, mail_config, later + timedelta(days=1)).sent == 0


def test_a_deadline_passing_is_not_a_change_and_closing_soon_is_reminded_once(
        engine, smtp_server, mail_config):
    store(engine, tender("26-8", deadline_at="2026-12-10T12:00:00+01:00"),  # 12 days ahead
          tender("26-9", deadline_at="2026-11-30T12:00:00+01:00"))  # 2 days ahead
    add_alert(engine, "Électricité 13", QUERY, TO)
    send_due_digests(engine, mail_config, NOW)
    assert len(smtp_server.handler.received) == 1

    # 5 days later: 26-8 closes in 7 calendar days (reminder); 26-9 has closed (no change
    # to report; it was sent within its last 7 days, so no reminder either)
    later = NOW + timedelta(days=5)
    with engine.begin() as conn:
        conn.execute(update(Listing).where(Listing.source_id == "26-9").values(status="closed"))
    run = send_due_digests(engine, mail_config, later)

    assert run.sent == 1
    msg = message(smtp_server.handler.received[-1].data)
    assert msg["Subject"] == "1 closing soon — Électricité 13"
    text = parts(msg)["text"]
    assert "Closing within 7 days (1)" in text and "26-8" in text and "26-9" not in text
    assert "Deadline: 10/12/2026 12:00 (7 days left)" in text
    assert send_due_digests(engine, mail_config, later + timedelta(days=1)).sent == 0


def test_a_line_for_each_broken_source(engine, stored, smtp_server, mail_config):
    with Session(engine) as session, session.begin():
        for hours in (30, 6):
            session.add(CrawlRun(source="ted", started_at=NOW - timedelta(hours=hours),
                                 finished_at=NOW - timedelta(hours=hours - 1),
                                 outcome="failed", error_summary="HTTP 503 from the API"))
    add_alert(engine, "Électricité 13", QUERY, TO)

    send_digests(engine, mail_config)  # the scheduler's step: it reads the sources' health

    got = parts(message(smtp_server.handler.received[0].data))
    assert "== Sources not working ==" in got["text"]
    assert "- ted: twice in a row: failed: HTTP 503 from the API" in got["text"]
    assert "no successful run yet" in got["text"]
    assert "Sources not working" in got["html"]


def test_due_rules_drive_what_the_scheduler_sends(engine, stored, smtp_server, mail_config):
    add_alert(engine, "daily", QUERY, "a@example.fr", every="daily")
    add_alert(engine, "weekly", QUERY, "b@example.fr", every="weekly")
    add_alert(engine, "evening", QUERY, "c@example.fr", every="18:30")
    by_alert = lambda s: {r.alert: r.outcome for r in s.runs}  # noqa: E731

    # 10:00 in Paris: the first run of each alert is due at once
    assert by_alert(send_due_digests(engine, mail_config, NOW)) == {
        "daily": "sent", "evening": "sent", "weekly": "sent"}
    store(engine, tender("26-10"), now=NOW + timedelta(hours=1))
    # 17:00 the same day: nothing due; 19:00: the evening alert
    assert set(by_alert(send_due_digests(engine, mail_config, NOW + timedelta(hours=7)))
               .values()) == {"not-due"}
    assert by_alert(send_due_digests(engine, mail_config, NOW + timedelta(hours=9))) == {
        "daily": "not-due", "evening": "sent", "weekly": "not-due"}
    # the next morning: the daily one; a week later: the weekly one
    assert by_alert(send_due_digests(engine, mail_config, NOW + timedelta(days=1))) == {
        "daily": "sent", "evening": "not-due", "weekly": "not-due"}
    assert by_alert(send_due_digests(engine, mail_config, NOW + timedelta(days=7)))[
        "weekly"] == "sent"
    assert len(smtp_server.handler.to("b@example.fr")) == 2


def test_scheduler_calls_it_with_engine_and_config_only(engine, stored, smtp_server,
                                                       mail_config):
    """The post-crawl step calls ``send_due_digests(engine, config)``: the clock is now."""
    add_alert(engine, "Électricité 13", QUERY, TO)

    summary = send_due_digests(engine, mail_config)

    assert summary.sent == 1
    assert str(summary).startswith("1 digest(s) sent, 0 alert(s) failing")


def test_dry_run_writes_eml_files_and_sends_or_marks_nothing(engine, stored, smtp_server,
                                                            mail_config, tmp_path):
    add_alert(engine, "Électricité 13", QUERY, TO)

    summary = send_due_digests(engine, mail_config, NOW, force=True, dry_run=tmp_path)

    (run,) = summary.runs
    (path,) = run.files
    assert path.name == "electricite-13-20261128-100000.eml"
    assert smtp_server.handler.received == []
    assert sent_records(engine) == {} and outbox(engine) == []
    got = parts(message(path.read_bytes()))
    assert len(got["csv"]) == 3


def test_the_schedule_time_zone_says_when_a_digest_is_due_not_how_it_reads(
        engine, stored, smtp_server):
    """``[schedule] timezone`` (here Tokyo) decides when an alert is due; what the digest shows
    is local time (LOCAL_TZ, Paris), as in the CLI and the TUI."""
    config = replace(config_for(smtp_server.port),
                     schedule=ScheduleConfig(timezone="Asia/Tokyo"))
    add_alert(engine, "Électricité 13", QUERY, TO, every="19:00")

    assert send_due_digests(engine, config, NOW).sent == 1  # 18:00 in Tokyo, 10:00 in Paris

    msg = message(smtp_server.handler.received[0].data)
    text = parts(msg)["text"]
    assert "Built 28/11/2026 10:00" in text
    assert "Deadline: 03/12/2026 12:00 (5 days left)" in text
    assert msg["Date"] == "Sat, 28 Nov 2026 10:00:00 +0100"
    # due at 19:00 in Tokyo (10:00 UTC), not at 19:00 in Paris
    store(engine, tender("26-20"), now=NOW + timedelta(minutes=10))
    assert [r.outcome for r in send_due_digests(
        engine, config, NOW + timedelta(minutes=30)).runs] == ["not-due"]
    assert [r.outcome for r in send_due_digests(
        engine, config, NOW + timedelta(hours=1, minutes=30)).runs] == ["sent"]


def test_a_digest_the_server_did_not_take_is_told_once_as_the_alerts_line(engine, stored,
                                                                         caplog):
    add_alert(engine, "Électricité 13", QUERY, TO)
    with caplog.at_level("INFO", logger="aggregator.mail"):
        summary = send_due_digests(engine, config_for(free_port()), NOW)
    assert [r.outcome for r in summary.runs] == ["pending"]
    # the console shows warnings: the alert's line (the reader's words), not a second,
    # English one for the same failure
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"alert {summary.runs[0].describe()}"]
