"""The command line's plain values are read without pydantic, exactly as Typer reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from aggregator.cli import UserError, typer_values
from aggregator.cli.numbers import whole_number

runner = CliRunner()


def _app() -> typer.Typer:
    """A command of each kind of parameter the reading commands take."""
    app = typer.Typer()

    @app.command()
    def read(words: Annotated[list[str] | None, typer.Argument()] = None,
             kind: Annotated[str | None, typer.Option()] = None,
             location: Annotated[list[str] | None, typer.Option()] = None,
             limit: Annotated[int, typer.Option(parser=whole_number("--limit", 1, 100))] = 50,
             count: Annotated[int | None, typer.Option(min=1, max=9)] = None,
             config: Annotated[Path | None, typer.Option()] = None,
             json: Annotated[bool, typer.Option("--json")] = False) -> None:
        print(repr((words, kind, location, limit, count, config, json)))

    return app


def _run(coercion, monkeypatch, *args: str) -> tuple[int, str, BaseException | None]:
    """A command line read with ``coercion`` (Typer's own or aggregator's)."""
    from typer import core

    monkeypatch.setattr(core, "build_runtime_param", coercion)
    result = runner.invoke(_app(), list(args))
    return result.exit_code, result.output, result.exception


@pytest.mark.parametrize("args", [
    (), ("électricité", "dep:13"), ("--kind", "tender"), ("--location", "a", "--location", "b"),
    ("--limit", "7"), ("--count", "3"), ("--config", "x.toml"), ("--json",),
    ("--count", "12"), ("--count", "x"),
])
def test_the_same_values_and_errors_as_typers_own(args, monkeypatch):
    plain = _run(typer_values._runtime_param, monkeypatch, *args)
    assert plain[:2] == _run(typer_values.build_runtime_param, monkeypatch, *args)[:2]
    assert plain[0] == (2 if args[:1] == ("--count",) and args[1] in ("12", "x") else 0)


def test_a_parsers_own_error_comes_through(monkeypatch):
    *_, error = _run(typer_values._runtime_param, monkeypatch, "--limit", "0")
    assert isinstance(error, UserError) and "--limit '0'" in str(error)


def test_plain_values_do_not_load_pydantic():
    import subprocess
    import sys

    probe = ("import sys\nfrom aggregator.cli import typer_values\ntyper_values.install()\n"
             "from tests.cli.test_typer_values import _app\n"
             "from typer.testing import CliRunner\n"
             "print(CliRunner().invoke(_app(), ['w', '--kind', 'job', '--limit', '5',"
             " '--location', 'Var']).output.strip(), 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "(['w'], 'job', ['Var'], 5, None, None, False) False"
