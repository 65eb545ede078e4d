"""`aggregator db current | upgrade | copy`: revisions shown from → to, a store copied into
PostgreSQL with its checks printed, a filled target refused, a differing copy exit 1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.config import PROJECT_ROOT
from aggregator.store import copy as store_copy
from aggregator.store.engine import alembic_config, create_store_engine, head_revision
from aggregator.terminal import console as output
from tests.store.filled_store import filled_sqlite, scratch_postgres

_register()
runner = CliRunner()
HEAD = head_revision(create_store_engine("sqlite://"))


def run(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    monkeypatch.setattr(output.console, "width", 200)


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def empty_url(request, tmp_path) -> Iterator[str]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    with scratch_postgres(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def empty_postgres(request) -> Iterator[str]:
    with scratch_postgres(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(scope="module")
def source_url(tmp_path_factory) -> str:
    return filled_sqlite(tmp_path_factory.mktemp("db-cli"))


def test_upgrade_from_an_empty_database_and_current(empty_url, monkeypatch):
    assert HEAD.isdigit()
    out = run("db", "current", "--url", empty_url).output
    assert f"revision: none (no schema yet; head is {HEAD}" in out
    out = run("db", "upgrade", "--url", empty_url).output
    assert f"upgraded: empty → {HEAD}" in out
    assert run("db", "upgrade", "--url", empty_url).output.splitlines()[-1] == (
        f"already at the head revision {HEAD}")
    url = make_url(empty_url)
    if url.get_backend_name() == "postgresql":  # the test server trusts 127.0.0.1: any will do
        url = url.set(password="s3cret")
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url.render_as_string(hide_password=False))
    out = run("db", "current").output  # the configured store
    assert out.splitlines() == [f"database: {url.render_as_string(hide_password=True)}",
                                f"revision: {HEAD} (head)"]
    assert "s3cret" not in out


def test_a_store_behind_the_head_is_named_and_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    command.upgrade(alembic_config(create_store_engine(url)), "0003")
    out = run("db", "current", "--url", url).output
    assert f"revision: 0003 (not the head {HEAD}: run `aggregator db upgrade`)" in out
    assert f"upgraded: 0003 → {HEAD}" in run("db", "upgrade", "--url", url).output


def test_copy_into_postgresql_prints_its_checks(source_url, empty_postgres, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", source_url)  # --from: the configured store
    result = run("db", "copy", "--to", empty_postgres, "--batch", "500")
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.output.splitlines() if line.startswith("│")}
    assert rows["listings"] == ["1,207", "1,207", "202", "0", "ok"]
    assert rows["listing_changes"] == ["33", "33", "33", "0", "ok"]
    assert rows["alert_sent"] == ["5", "5", "5", "0", "ok"]
    assert rows["alert_deliveries"] == ["3", "3", "3", "0", "ok"]
    assert rows["crawl_runs"] == ["8", "8", "8", "0", "ok"]
    assert rows["scheduler_locks"][:2] == ["1", "0"]
    assert "not copied" in rows["scheduler_locks"][-1]
    assert "full-text index rebuilt on the target: ok" in result.output
    assert "ids continue at: alerts 3, crawl_runs 9, listings 1,208" in result.output
    assert "Done. To use it, set url =" in result.output

    with pytest.raises(UserError, match="target database is not empty: alerts"):
        run("db", "copy", "--to", empty_postgres)
    assert run("db", "copy", "--to", empty_postgres, "--replace").exit_code == 0
    with pytest.raises(UserError, match="names the store being copied"):
        run("db", "copy", "--to", source_url)


def test_a_copy_that_differs_exits_1_naming_the_rows(source_url, empty_postgres, monkeypatch):
    verify = store_copy.verify_copy

    def tampered(source, target, **options):  # a change slipped in after the copy
        with target.begin() as conn:
            conn.exec_driver_sql("UPDATE crawl_runs SET items_seen = items_seen + 1 "
                                 "WHERE id = 3")
        return verify(source, target, **options)

    monkeypatch.setattr(store_copy, "verify_copy", tampered)
    result = run("db", "copy", "--from", source_url, "--to", empty_postgres)
    assert result.exit_code == 1
    assert "crawl_runs row 3: items_seen" in result.output
    assert "the copy differs from the source (1 difference)" in result.output


def test_the_real_command_refuses_a_filled_target_in_one_line(source_url, tmp_path):
    target = f"sqlite:///{tmp_path}/target.sqlite3"
    command = [sys.executable, "-c", "from aggregator.cli import main; main()", "db", "copy",
               "--from", source_url, "--to", target]
    env = os.environ | {"AGGREGATOR_DATABASE_URL": source_url}
    first = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                           timeout=120, env=env)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                           timeout=120, env=env)
    assert again.returncode == 2
    assert again.stderr.startswith("error: the target database is not empty: alerts (2 rows)")
    assert "Traceback" not in again.stderr


def test_a_copy_reports_in_french(source_url, tmp_path):
    target = f"sqlite:///{tmp_path}/target.sqlite3"
    command = [sys.executable, "-c", "from aggregator.cli import main; main()", "db", "copy",
               "--from", source_url, "--to", target]
    env = {k: v for k, v in os.environ.items() if k != "AGGREGATOR_LANGUAGE"} | {
        "AGGREGATOR_DATABASE_URL": source_url, "COLUMNS": "80", "LANG": "C"}
    copied = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert copied.returncode == 0, copied.stderr
    # the checks fit 80 columns, every table named whole, every count shown
    assert max(len(line) for line in copied.stdout.splitlines()) <= 80
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in copied.stdout.splitlines() if line.startswith("│")}
    assert rows["listing_descriptors"][-1] == "ok"
    assert rows["listings"] == ["1\u202f207", "1\u202f207", "202", "0", "ok"]
    assert rows["scheduler_locks"][-1].startswith("non copiée")
    # a copy of 0.95 s or more reads "1 s": number() writes no ",0"
    assert re.search(r"lignes copiées en \d+(,\d)? s", copied.stdout), copied.stdout
    again = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                           timeout=120, env=env)
    assert again.stderr.startswith("erreur : la base cible n'est pas vide : alerts (2 lignes)")


def test_looking_at_a_missing_sqlite_store_creates_nothing(tmp_path):
    missing = tmp_path / "typo.sqlite3"
    out = run("db", "current", "--url", f"sqlite:///{missing}").output
    assert f"revision: none (no schema yet; head is {HEAD}" in out
    with pytest.raises(UserError, match=f"no store at sqlite:///{missing}: nothing to copy"):
        run("db", "copy", "--from", f"sqlite:///{missing}", "--to",
            f"sqlite:///{tmp_path}/target.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_an_in_memory_store_is_named_as_written():
    out = run("db", "upgrade", "--url", "sqlite:///:memory:").output
    assert out.splitlines()[0] == "database: sqlite:///:memory:"
