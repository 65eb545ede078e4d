"""`aggregator cpv`: codes for a trade's words, one code with its parents and children, each
with its open tenders in the store; readable at 80 columns, JSON for scripts, one-line errors.

Labels and codes expected here are read from the shipped nomenclature (aggregator.normalize.cpv),
never typed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import time_machine
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.normalize import cpv
from aggregator.terminal import console as output
from tests.factories import NOW, item, write

_register()
runner = CliRunner()

ITEMS = [
    item("wiring", deadline_at="2026-04-10T12:00:00+02:00", cpv=["45311000-0"],
         match_keys=["proc:wiring"]),
    item("wiring-ted", source="ted", deadline_at="2026-04-10T12:00:00+02:00",
         cpv=["45311000"], match_keys=["proc:wiring"]),
    item("alarm", cpv=["45312000", "45311000"]),
    item("past", deadline_at="2026-03-20T12:00:00+01:00", cpv=["45310000"]),
    item("cleaning", cpv=["90910000"], title="Nettoyage des écoles"),
    item("cleaning-closed", status="closed", cpv=["90910000"]),
]


@pytest.fixture
def store(engine):
    with time_machine.travel(NOW, tick=False):
        yield write(engine, ITEMS)


@pytest.fixture
def columns_80(monkeypatch):
    monkeypatch.setattr(output.console, "width", 80)


def invoke(*args: str):
    """``aggregator cpv ARGS`` with French labels unless ``--lang`` says otherwise (the
    suite's messages are English, which would choose English labels)."""
    lang = [] if "--lang" in args else ["--lang", "fr"]
    with time_machine.travel(NOW, tick=False):
        return runner.invoke(app, ["cpv", *args, *lang])


def run(*args: str):
    result = invoke(*args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def rows(out: str) -> dict[str, list[str]]:
    """Table rows by code: the cells of the code's first line."""
    found = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        code = next((c for c in cells if re.fullmatch(r"\d{8}", c)), None)
        if code:
            found[code] = cells
    return found


def assert_readable_at_80(out: str, shown_labels: list[str]) -> None:
    assert all(len(line) <= 80 for line in out.splitlines())
    words = set(re.split(r"[\s│┃]+", out))
    for text in shown_labels:  # long labels wrap between words, never inside one
        assert all(word in words for word in text.split()), text


def test_words_list_codes_with_labels_and_open_tenders(store, columns_80):
    out = run("nettoyage").output
    expected = cpv.suggest("nettoyage", limit=20)
    table = rows(out)
    assert list(table) == [s.code.code for s in expected]
    best = expected[0].code
    first_row = next(line for line in out.splitlines() if line.startswith("│"))
    assert first_row.startswith(f"│ {best.code} │ {best.fr}")
    assert table["90910000"][-1] == "1"  # the open cleaning tender; the closed one is not
    assert {cells[-1] for code, cells in table.items() if code != "90910000"
            and not "90910000".startswith(cpv.significant_digits(code))} == {"0"}
    assert_readable_at_80(out, [s.code.fr for s in expected])


def test_english_labels_on_request(store, columns_80):
    out = run("cleaning", "--lang", "en").output
    expected = cpv.suggest("cleaning", "en", limit=20)
    assert list(rows(out)) == [s.code.code for s in expected]
    assert expected[0].code.en in out and expected[0].code.fr not in out
    assert_readable_at_80(out, [s.code.en for s in expected])


def test_a_code_shows_its_parents_and_children_with_counts(store, columns_80):
    out = run("4531").output
    code = cpv.lookup("4531")
    chain = [*cpv.parents("4531"), code, *cpv.children("4531")]
    table = rows(out)
    assert list(table) == [c.code for c in chain]
    counts = {c: cells[-1] for c, cells in table.items()}
    # wiring (with its TED duplicate) and alarm are open; "past" closed at its deadline
    assert counts["45000000"] == counts["45300000"] == counts["45310000"] == "2"
    assert counts["45311000"] == "2" and counts["45312000"] == "1"
    assert table["45000000"][0] == "division" and table["45311000"][0] == "category"
    assert_readable_at_80(out, [c.fr for c in chain])


def test_json_for_scripts(store):
    lines = run("nettoyage", "--json", "--limit", "5").output.splitlines()
    records = [json.loads(line) for line in lines]
    expected = cpv.suggest("nettoyage", limit=5)
    assert [r["code"] for r in records] == [s.code.code for s in expected]
    first = records[0]
    assert first["label"] == expected[0].code.fr and first["match"] == expected[0].match
    assert first["prefix"] == expected[0].code.prefix and first["matched"] == ["nettoyage"]
    assert next(r for r in records if r["code"] == "90910000")["open_tenders"] == 1

    one = json.loads(run("45311000-0", "--json", "--lang", "en").output)
    assert one["code"] == "45311000" and one["label"] == cpv.label("45311000", "en")
    assert one["open_tenders"] == 2 and one["level"] == "category"
    assert [p["code"] for p in one["parents"]] == [p.code for p in cpv.parents("45311")]
    assert [p["open_tenders"] for p in one["parents"]] == [2, 2, 2]
    assert [c["code"] for c in one["children"]] == [c.code for c in cpv.children("45311")]


def test_words_no_label_holds(store):
    result = run("de", "la")
    assert result.exit_code == 0 and "No French CPV label holds 'de la'" in result.output
    assert run("de", "la", "--json").output == ""


def test_hostile_words_are_shown_as_typed(store, columns_80):
    out = run("[bold]nettoyage[/bold]", "\x1b[31mx").output
    assert "[bold]nettoyage[/bold]" in out and "\x1b" not in out


@pytest.mark.parametrize(("args", "message"), [
    ((), "give a trade's words"),
    (("4531", "électricité"), "words and a code mixed in '4531 électricité'"),
    (("4531", "9091"), "one CPV code at a time"),
    (("4",), "'4' is no CPV code"),
    (("nettoyage", "--lang", "de"), "--lang must be one of fr, en"),
])
def test_bad_input_is_refused(sqlite_url, args, message):
    result = invoke(*args)
    assert isinstance(result.exception, UserError) and message in str(result.exception)


def test_an_unknown_code_is_refused(sqlite_url):
    missing = next(f"{n:02d}" for n in range(10, 100) if cpv.lookup(f"{n:02d}") is None)
    result = invoke(missing)
    assert str(result.exception) == f"no CPV code {missing}000000"


def test_the_command_fails_in_one_line_with_exit_2(sqlite_url):
    for args in ([], ["4531", "nettoyage"]):
        done = subprocess.run([sys.executable, "-c", "from aggregator.cli import main; main()",
                               "cpv", *args], capture_output=True, text=True)
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: ")


def test_labels_follow_the_language_of_the_messages(store):
    with time_machine.travel(NOW, tick=False):
        english = runner.invoke(app, ["cpv", "45311000", "--json"]).output
    assert json.loads(english)["label"] == cpv.label("45311000", "en")
