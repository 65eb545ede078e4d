"""A small store for driving the TUI, written at the frozen clock's time (tests/conftest.py)."""

from __future__ import annotations

import pytest

from aggregator.store.engine import get_engine
from tests.factories import item, write

ITEMS = [
    item("elec", title="Travaux d'électricité du groupe scolaire", location="Marseille 13e",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"],
         organization="Ville de Marseille", match_keys=["proc:1"],
         description="Mise en conformité des tableaux électriques."),
    item("elec-ted", source="ted", title="Travaux d'électricité (TED)", location="Marseille 13e",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"], match_keys=["proc:1"]),
    item("nice", title="Maîtrise d'œuvre du stade", location="Nice (06)",
         organization="Métropole Nice Côte d'Azur", deadline_at="2026-03-29T00:00:00+01:00",
         cpv=["71000000"]),
    item("far", title="Peinture des écoles", location="Lille (59)",
         deadline_at="2026-05-20T12:00:00+02:00", cpv=["45442100"],
         organization="Ville de Lille"),
    item("dev", kind="job", source="lever", title="Développeur Python F/H", location="Lyon 3e",
         organization="ACME", contract_type="CDI", published_at="2026-03-26T09:00:00+01:00"),
    item("evil", kind="job", source="lever",
         title="[bold]Évil[/bold] \x1b[31mred\x1b[0m", organization="[red]Corp[/red]",
         location="Paris", postal_code="75011", contract_type="CDD",
         published_at="2026-03-25T09:00:00+01:00"),
]


@pytest.fixture
def tui_engine(sqlite_url, clock):
    engine = get_engine(sqlite_url)
    write(engine, ITEMS)
    return engine


def break_source(monkeypatch, reason: str, source: str = "boamp") -> None:
    """Source health says ``source`` is broken, for ``reason``."""
    broken = type("Broken", (), {"source": source, "reason": reason})
    monkeypatch.setattr("aggregator.scheduling.health.broken_sources",
                        lambda engine, config=None: [broken])
