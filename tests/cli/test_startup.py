"""Start-up: a command imports what it uses, not the whole project (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("scrapy", "textual", "apscheduler", "jinja2", "icalendar", "dateparser", "alembic",
         "redis", "twisted", "lxml")


def _imported_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages of HEAVY that running ``code`` in a fresh interpreter loaded."""
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & "
             f"set({list(HEAVY)!r}))))")
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
