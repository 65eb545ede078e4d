"""Start-up: a command imports what it uses, not the whole project (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("scrapy", "textual", "apscheduler", "jinja2", "icalendar", "dateparser", "alembic",
         "redis", "twisted", "lxml")


def _imported_by(code: str, env: dict[str, str] | None = None,
                 watched: tuple[str, ...] = HEAVY) -> set[str]:
    """The modules of ``watched`` (a top-level package stands for its submodules) that running
    ``code`` in a fresh interpreter loaded."""
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted({{p for m in sys.modules for p in {list(watched)!r} "
             f"if m == p or m.startswith(p + '.')}})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_crawler_tui_or_scheduler():
    assert _imported_by("import aggregator.cli") == set()


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["search", "électricité", "dep:13"],
                                  ["show", "1"], ["list", "--json"]])
def test_reading_commands_load_only_their_own_modules(argv, tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    # the first run creates the schema (Alembic); the second is what a user types every day
    code = (f"from aggregator.cli import main\nsys.argv = ['aggregator', *{argv!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    _imported_by(code, dict(os.environ))
    assert _imported_by(code, dict(os.environ)) == set()


def _command(argv: list[str]) -> str:
    return (f"from aggregator.cli import main\nsys.argv = ['aggregator', *{argv!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")


# What a command loads only when it needs it: the store (SQLAlchemy), its ORM and
# PostgreSQL's dialect (the reading commands use Core tables), the config schema (pydantic),
# the query parser (lark, without the regex module), Babel, the communes of the geography,
# the export writers and --why.
LAZY = ("sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.postgresql",
        "aggregator.store.models", "pydantic", "lark", "regex", "babel",
        "aggregator.normalize.geography", "aggregator.normalize.listing", "aggregator.export",
        "aggregator.query.why")


@pytest.mark.parametrize(("argv", "expected"), [
    (["--help"], set()),  # no store, no schema, no Typer parameter parsing
    (["list"], {"sqlalchemy"}),  # plain values: read without Typer's pydantic
    (["search", "électricité"], {"sqlalchemy", "lark"}),
    (["show", "1"], {"sqlalchemy"}),
    (["list", "--json"], {"sqlalchemy", "aggregator.export"}),
    (["search", "électricité", "--why"], {"sqlalchemy", "lark", "aggregator.query.why"}),
])
def test_commands_load_heavy_libraries_only_when_they_need_them(argv, expected, tmp_path):
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}")
    _imported_by(_command(argv), env)  # creates the schema
    assert _imported_by(_command(argv), env, LAZY) == expected


def test_show_names_the_department_without_loading_the_communes(tmp_path):
    from aggregator.store.engine import get_engine
    from tests.factories import item, write

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    ids = write(get_engine(url), [item("26-1", location="Var (83)")])
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=url, AGGREGATOR_LANGUAGE="en")
    probe = ("import sys\n" + _command(["show", str(ids["26-1"])])
             + "\nfrom aggregator.normalize.geography import geography"
             "\nprint(geography.cache_info().currsize, sorted(m for m in sys.modules "
             "if m.startswith(('aggregator.normalize.', 'babel'))))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, check=True).stdout
    assert "Var (83), Provence-Alpes-Côte d'Azur" in shown
    built, loaded = shown.splitlines()[-1].split(" ", 1)
    assert built == "0"  # areas() named them: the communes were never loaded
    assert "aggregator.normalize.listing" not in loaded and "babel" not in loaded


@pytest.mark.parametrize("words", [["dep:83"], ["region:93"], ["--location", "dep:2a"]])
def test_a_department_or_region_code_is_searched_without_loading_the_communes(words, tmp_path):
    from aggregator.store.engine import get_engine
    from tests.factories import item, write

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    write(get_engine(url), [item("26-1", location="Var (83)")])
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=url, AGGREGATOR_LANGUAGE="en")
    probe = ("import sys\n" + _command(["search", *words])
             + "\nfrom aggregator.normalize.geography import geography"
             "\nprint(geography.cache_info().currsize)")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, check=True).stdout
    assert shown.splitlines()[-1] == "0"  # the communes were never loaded
    assert ("Var (83)" in shown) == (words != ["--location", "dep:2a"])
