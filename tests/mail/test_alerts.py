"""Saved searches: storage, validation, due rules, and the `aggregator alerts` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.config import PROJECT_ROOT
from aggregator.mail.alerts import add_alert, edit_alert, is_due, parse_recipients
from aggregator.mail.digests import send_due_digests
from aggregator.store.alerts import AlertError, get_alert, list_alerts, remove_alert
from aggregator.store.models import Alert, AlertDelivery, AlertSent
from tests.mail.listings import NOW, store, tender

PARIS = ZoneInfo("Europe/Paris")


def test_add_stores_the_canonical_query_and_the_recipients(engine):
    alert = add_alert(engine, " Électricité 13 ", '"électricité" cpv:45 kind:tender dep:13',
                      "achats@example.fr, Bureau@Example.fr,achats@example.fr", every="Weekly",
                      now=NOW)

    stored = get_alert(engine, "Électricité 13")
    assert stored.id == alert.id
    assert stored.query == 'kind:tender dep:13 cpv:45 "électricité"'
    assert stored.recipients == ["achats@example.fr", "Bureau@example.fr"]  # domain folded
    assert stored.every == "weekly"
    assert stored.created_at == NOW and stored.last_run_at is None


@pytest.mark.parametrize("query, reason", [
    ("foo:bar", "unknown key 'foo'"),
    ("dep:Atlantis", "unknown place 'dep:Atlantis'"),
    ("kind:boat", "bad kind 'boat'"),
    ("deadline<abc", "bad deadline date 'abc'"),
])
def test_a_bad_query_is_refused_at_add_with_the_reason(engine, query, reason):
    with pytest.raises(AlertError, match="invalid query") as refused:
        add_alert(engine, "x", query, "a@example.fr")
    assert reason in str(refused.value)
    assert list_alerts(engine) == []


@pytest.mark.parametrize("recipients", [
    "", " , ", "not-an-address", "a@example.fr\r\nBcc: victim@example.org",
    "a@example.fr;b@example.fr", "a@b@example.fr", "Jean <jean@example.fr> junk",
    "Jean\u202e <jean@example.fr>",
])
def test_bad_recipients_are_refused(recipients):
    with pytest.raises(AlertError):
        parse_recipients(recipients)


@pytest.mark.usefixtures("default_language")
@pytest.mark.parametrize(("recipients", "why"), [
    ("jean.dupont.example.fr", "'jean.dupont.example.fr' (il manque le @)"),
    ("jean dupont@example.fr", "'jean dupont@example.fr' (caractères interdits avant le @ : "
                               "espace)"),
    ("jean@example..fr", "'jean@example..fr' (deux points de suite)"),
])
def test_a_mistyped_address_is_explained_in_french(recipients, why):
    with pytest.raises(AlertError) as refused:
        parse_recipients(recipients)
    assert str(refused.value) == f"pas une adresse électronique : {why}"


@pytest.mark.usefixtures("default_language")
def test_a_sending_failure_reads_in_french():
    from aggregator.mail.smtp import NO_PASSWORD, error_text

    assert error_text("mail.example.fr:587 (starttls): connection refused") == (
        "mail.example.fr:587 (starttls) : connexion refusée")
    assert error_text("mail.example.fr:587 (starttls): DNS lookup failed") == (
        "mail.example.fr:587 (starttls) : échec de la résolution DNS")
    assert error_text(NO_PASSWORD) == ("[smtp] user est défini mais "
                                       "AGGREGATOR_SMTP_PASSWORD ne l'est pas")
    assert error_text("x:25 (none): SMTPNotSupportedError: odd") == (
        "x:25 (none): SMTPNotSupportedError: odd")  # an unknown form as it is


def test_display_names_are_kept():
    assert parse_recipients(['Jean Dupont <jean@example.fr>, "Dupont, Marie" <m@example.fr>',
                             "Élise Été <e@example.fr>"]) == [
        "Jean Dupont <jean@example.fr>", '"Dupont, Marie" <m@example.fr>',
        "Élise Été <e@example.fr>"]


@pytest.mark.parametrize("every", ["hourly", "24:00", "7:5", "monday", ""])
def test_bad_rhythms_are_refused(engine, every):
    with pytest.raises(AlertError, match="daily, weekly or HH:MM"):
        add_alert(engine, "x", "dep:13", "a@example.fr", every=every)


def test_names_are_unique_and_printable(engine):
    add_alert(engine, "BTP", "dep:13", "a@example.fr")
    with pytest.raises(AlertError, match="already exists"):
        add_alert(engine, "BTP", "dep:83", "a@example.fr")
    for name in ("", "a\x1b[31m", "-x", "n" * 81):
        with pytest.raises(AlertError, match="printable"):
            add_alert(engine, name, "dep:13", "a@example.fr")


def test_edit_changes_what_is_given_and_keeps_what_was_sent(engine, smtp_server, mail_config):
    store(engine, tender("26-1"))
    add_alert(engine, "BTP", "dep:13", "a@example.fr", now=NOW)
    send_due_digests(engine, mail_config, NOW)

    edited = edit_alert(engine, "BTP", new_name="BTP 13", query="dep:13 kind:tender",
                        recipients=["b@example.fr"], every="07:30")

    assert (edited.name, edited.query, edited.recipients, edited.every) == (
        "BTP 13", "kind:tender dep:13", ["b@example.fr"], "07:30")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AlertSent)) == 1
    with pytest.raises(AlertError, match="invalid query"):
        edit_alert(engine, "BTP 13", query="dep:Atlantis")
    with pytest.raises(AlertError, match="nothing to change"):
        edit_alert(engine, "BTP 13")
    with pytest.raises(AlertError, match="no alert named"):
        edit_alert(engine, "BTP", every="daily")


def test_remove_deletes_the_outbox_and_the_sent_records(engine, smtp_server, mail_config):
    store(engine, tender("26-1"))
    add_alert(engine, "BTP", "dep:13", "a@example.fr", now=NOW)
    send_due_digests(engine, mail_config, NOW)

    remove_alert(engine, "BTP")

    with Session(engine) as session:
        for model in (Alert, AlertDelivery, AlertSent):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    with pytest.raises(AlertError, match="no alert named"):
        remove_alert(engine, "BTP")


def _alert(every: str, last_run: datetime | None) -> Alert:
    return Alert(name="x", query="", recipients=[], every=every, last_run_at=last_run)


@pytest.mark.parametrize("every, last_run, now, due", [
    ("daily", None, "2026-11-28T09:00", True),
    ("daily", "2026-11-28T05:00", "2026-11-28T22:00", False),  # same Paris day
    ("daily", "2026-11-28T22:30", "2026-11-28T23:30", True),  # 23:30 → 00:30 the next day
    ("weekly", "2026-11-21T09:00", "2026-11-28T08:00", True),
    ("weekly", "2026-11-22T09:00", "2026-11-28T22:00", False),
    ("18:30", "2026-11-28T09:00", "2026-11-28T17:29", False),  # 18:29 in Paris
    ("18:30", "2026-11-28T09:00", "2026-11-28T17:30", True),
    ("18:30", "2026-11-28T17:31", "2026-11-29T17:00", False),
    ("07:00", "2027-03-27T06:00", "2027-03-28T05:00", True),  # 07:00 CEST, the DST day
    ("07:00", "2027-03-27T06:00", "2027-03-28T04:59", False),
])
def test_due_rules(every, last_run, now, due):
    def instant(text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None

    assert is_due(_alert(every, instant(last_run)), instant(now), PARIS) is due


# --- The commands ------------------------------------------------------------------------------

@pytest.fixture
def cli(store_url, monkeypatch):
    from aggregator.terminal.console import console

    _register()
    monkeypatch.setattr(console, "width", 160)  # tables unwrapped, whatever the terminal
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=True)

    return invoke


def test_alert_commands_end_to_end(cli, engine, tmp_path, frozen, smtp_server, monkeypatch):
    config = tmp_path / "aggregator.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                      f'from = "veille@example.fr"\n', encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    store(engine, tender("26-1", title="Électricité [bold]école[/bold]"), tender("26-2"))

    added = cli("alerts", "add", "Électricité 13", "dep:13 électri*", "--to",
                "achats@example.fr", "--every", "daily")
    assert added.exit_code == 0, added.output
    assert "Alert 'Électricité 13' saved: dep:13 électri* → achats@example.fr, every day." in \
        added.output

    listed = cli("alerts", "list")
    assert "Électricité 13" in listed.output and "achats@example.fr" in listed.output

    shown = cli("alerts", "show", "Électricité 13")
    assert shown.exit_code == 0, shown.output
    assert "It would send now:" in shown.output
    assert "2 new tenders — Électricité 13" in shown.output
    assert "Électricité [bold]école[/bold]" in shown.output  # not taken as markup

    dry = cli("alerts", "run", "Électricité 13", "--dry-run", "--out", str(tmp_path / "eml"))
    assert dry.exit_code == 0, dry.output
    assert [p.name for p in (tmp_path / "eml").iterdir()] == [
        "electricite-13-20261128-100000.eml"]
    assert smtp_server.handler.received == []

    sent = cli("alerts", "run")
    assert sent.exit_code == 0, sent.output
    assert "Électricité 13: sent" in sent.output
    assert len(smtp_server.handler.received) == 1
    assert "It would send nothing now" in cli("alerts", "show", "Électricité 13").output

    edited = cli("alerts", "edit", "Électricité 13", "--every", "weekly")
    assert edited.exit_code == 0 and "every week" in edited.output
    bad = cli("alerts", "edit", "Électricité 13", "--query", "foo:bar")
    assert isinstance(bad.exception, UserError) and "unknown key 'foo'" in str(bad.exception)
    removed = cli("alerts", "remove", "Électricité 13")
    assert removed.exit_code == 0 and list_alerts(engine) == []


def test_run_exits_1_when_a_digest_could_not_be_sent(cli, engine, tmp_path, frozen,
                                                     monkeypatch):
    from tests.mail.conftest import free_port

    config = tmp_path / "aggregator.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\n', encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    store(engine, tender("26-1"))
    add_alert(engine, "BTP", "dep:13", "a@example.fr")

    result = cli("alerts", "run")

    assert result.exit_code == 1
    assert "BTP: pending" in result.output and "(none): connection refused" in result.output
    assert "sent again at the next run" in result.output and "[smtp]" in result.output


def test_the_real_command_says_a_digest_not_sent_once(engine, store_url, tmp_path, frozen):
    # the scheduler logs each alert's line; a command prints it, and Python's last-resort
    # handler printed the log record too ("alert BTP: pending — …", then the same line)
    from tests.mail.conftest import free_port

    config = tmp_path / "aggregator.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\n', encoding="utf-8")
    store(engine, tender("26-1"))
    add_alert(engine, "BTP", "dep:13", "a@example.fr")
    result = subprocess.run(
        [sys.executable, "-c", "from aggregator.cli import main; main()", "alerts", "run"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env=os.environ | {"AGGREGATOR_DATABASE_URL": store_url, "COLUMNS": "200",
                          "AGGREGATOR_CONFIG": str(config)})
    assert result.returncode == 1
    assert (result.stdout + result.stderr).count("connection refused") == 1, result.stderr
    assert result.stderr == ""


def test_the_real_command_refuses_a_bad_query_with_the_reason(sqlite_url):
    result = subprocess.run(
        [sys.executable, "-c", "from aggregator.cli import main; main()", "alerts", "add",
         "x", "dep:13 foo:bar", "--to", "a@example.fr"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env=os.environ | {"AGGREGATOR_DATABASE_URL": sqlite_url})
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid query 'dep:13 foo:bar': unknown key 'foo'")
    assert "Traceback" not in result.stderr


def test_every_daily_alert_is_due_again_the_next_local_day():
    alert = _alert("daily", NOW)
    assert not is_due(alert, NOW + timedelta(hours=13), PARIS)  # 23:00 in Paris
    assert is_due(alert, NOW + timedelta(hours=14), PARIS)  # 00:00 the next day


def test_the_alerts_fit_80_columns_without_splitting_a_word(cli, engine, monkeypatch):
    from aggregator.terminal.console import console

    for name, query in (("Électricité 83", "kind:tender dep:83 cpv:31 électri*"),
                        ("Dev", "kind:job développeur")):
        assert cli("alerts", "add", name, query, "--to",
                   "achats@example.fr,bureau@example.fr", "--every", "weekly").exit_code == 0
    monkeypatch.setattr(console, "width", 80)
    listed = cli("alerts", "list").output
    assert max(len(line) for line in listed.splitlines()) <= 80
    for word in ("Électricité", "kind:tender", "électri*", "développeur", "achats@example.fr,",
                 "bureau@example.fr", "week", "name", "query", "pending"):
        assert word in listed, word
