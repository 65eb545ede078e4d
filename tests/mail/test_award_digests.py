"""Awards in what a user reads: "this buyer before" under a tender (`show`, the digest line),
and a saved search of awards that alerts on contracts coming up for renewal."""

from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app
from aggregator.mail.alerts import add_alert
from aggregator.mail.digests import send_due_digests
from aggregator.query import get_listing
from tests.mail.listings import NOW, store, tender

pytestmark = pytest.mark.usefixtures("frozen")
_register()
runner = CliRunner()
WINNER = {"id": "42241454000035", "id_type": "SIRET", "name": "EURO IIS"}


def award(source_id: str, **fields) -> dict:
    return {"kind": "award", "source": "decp", "source_id": source_id,
            "url": f"https://decp.example.invalid/decp.json#{source_id}",
            "title": f"Marché {source_id}", "organization": "VILLE DE MARSEILLE",
            "buyer_id": "21130055300016", "country": "FR", "department": "13",
            "duration_months": 12, "suppliers": [WINNER], "raw": {}} | fields


PAST = [
    award("same-class", awarded_at="2025-01-20", amount=80000, cpv=["45311000"]),
    award("older", awarded_at="2023-01-20", amount=60000, cpv=["45312000"]),
    award("same-division", awarded_at="2025-05-01", amount=10000, cpv=["45000000"]),
    award("other-trade", awarded_at="2025-06-01", amount=5000, cpv=["90910000"]),
    award("other-buyer", awarded_at="2025-06-01", amount=5000, cpv=["45311000"],
          organization="Ville de Nice", buyer_id="21060088800015"),
    award("ending", awarded_at="2026-02-01", amount=90000, cpv=["45310000"],
          duration_months=10),  # ends 2026-12-01, four days after NOW
]


def test_a_tender_shows_its_buyers_past_awards_in_its_cpv_class(engine):
    store(engine, *PAST)
    (listed,) = store(engine, tender("26-1", cpv=["45310000"]))
    before = get_listing(engine, listed.id).buyer_before
    # the class 45310 first; nothing else of the buyer in the class, so ordered newest first
    assert [a.source_id for a in before] == ["ending"]
    (other,) = store(engine, tender("26-2", cpv=["45311000"]))
    assert [a.source_id for a in get_listing(engine, other.id).buyer_before] == ["same-class"]
    # no award in the class 45317: the division 45 stands in
    (wider,) = store(engine, tender("26-3", cpv=["45317000"]))
    assert [a.source_id for a in get_listing(engine, wider.id).buyer_before] == [
        "ending", "same-division", "same-class", "older"]


def test_show_prints_this_buyer_before(engine, store_url):
    store(engine, *PAST)
    (listed,) = store(engine, tender("26-2", cpv=["45311000"]))
    result = runner.invoke(app, ["show", str(listed.id)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "This buyer before" in result.output
    assert "EURO IIS" in result.output and "80,000 €" in result.output
    assert "20/01/2025" in result.output


def _text(smtp_server, index: int = -1) -> str:
    message = email.message_from_bytes(smtp_server.handler.received[index].data,
                                       policy=default_policy)
    return message.get_body(("plain",)).get_content()


def test_the_digest_has_one_line_of_it_per_tender(engine, smtp_server, mail_config):
    store(engine, *PAST, tender("26-2", cpv=["45311000"]), tender("26-9", cpv=["79000000"]))
    add_alert(engine, "elec", "dep:13", "achats@example.fr", now=NOW)
    send_due_digests(engine, mail_config, NOW)
    text = _text(smtp_server)
    assert text.count("This buyer before:") == 1
    assert "This buyer before: 20/01/2025 · EURO IIS · 80,000 €" in text


def test_an_alert_on_awards_announces_renewals_once(engine, smtp_server, mail_config):
    store(engine, *PAST)
    add_alert(engine, "renewals", "kind:award dep:13 ends<30d", "achats@example.fr", now=NOW)
    send_due_digests(engine, mail_config, NOW)
    text = _text(smtp_server)
    assert "1 new contract" in text and "Contracts to renew (1)" in text
    assert "Marché ending" in text and "ends 01/12/2026 · EURO IIS · 90,000 €" in text
    send_due_digests(engine, mail_config, NOW, force=True)
    assert len(smtp_server.handler.received) == 1  # nothing new: not sent again
