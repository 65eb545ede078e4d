"""`aggregator db`: the store's schema revision, upgrades, and copying a store elsewhere."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from aggregator.cli import UserError, app
from aggregator.cli.numbers import whole_number
from aggregator.i18n import _
from aggregator.terminal.console import console, err_console, safe

db_app = typer.Typer(help=_("The store's schema (Alembic revisions) and moving it to another "
                     "database."), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")

UrlOption = Annotated[str | None, typer.Option(
    "--url", help=_("Database URL (default: the configured store)."))]


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _url(url: str | None) -> str:
    from aggregator.config import database_url

    return url or database_url()


@db_app.command("current", help=_("The schema revision of the store, and whether it is the newest "
            "one (head)."))
def current(url: UrlOption = None) -> None:
    from aggregator.store.engine import create_store_engine, current_revision, head_revision

    url = _url(url)
    engine = create_store_engine(url)  # no upgrade: this only looks
    try:
        revision, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    console.print(f"database: {_shown(url)}", highlight=False, markup=False)
    if revision is None:
        console.print(f"revision: none (no schema yet; head is {head}: "
                      "`aggregator db upgrade` creates it)")
    elif revision == head:
        console.print(f"revision: {revision} (head)")
    else:
        console.print(f"revision: {revision} (not the head {head}: run `aggregator db upgrade`)")


@db_app.command("upgrade", help=_("Bring the store's schema to the newest revision (creates it in "
            "an empty database)."))
def upgrade(url: UrlOption = None) -> None:
    from aggregator.store.engine import (
        create_store_engine,
        current_revision,
        head_revision,
        upgrade_schema,
    )

    url = _url(url)
    engine = create_store_engine(url)
    try:
        before = current_revision(engine)
        upgrade_schema(engine)
        after, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    console.print(f"database: {_shown(url)}", highlight=False, markup=False)
    if before == after:
        console.print(f"already at the head revision {head}")
    else:
        console.print(f"upgraded: {before or 'empty'} → {after}")


def _checks_table(report) -> Table:
    table = Table(title="Copy checked", title_justify="left")
    for column, right in (("table", False), ("source rows", True), ("target rows", True),
                          ("rows sampled", True), ("sampled rows differing", True),
                          ("", False)):
        table.add_column(column, justify="right" if right else "left")
    for check in report.verification.tables:
        if check.skipped:
            verdict = safe(check.note, style="dim")
        elif check.ok:
            verdict = safe("ok", style="green")
        else:
            verdict = safe("MISMATCH", style="bold red")
        table.add_row(check.name, f"{check.source_rows:,}", f"{check.target_rows:,}",
                      "" if check.skipped else f"{check.sampled:,}",
                      "" if check.skipped else str(len(check.mismatches)), verdict)
    return table


@db_app.command("copy", help=_("Copy the whole store (listings, history, runs, alerts, outbox) "
            "into another database, then check it: row counts of every table "
            "and a sample of rows compared one by one.\n\nThe target's schema "
            "is created or upgraded first; it must be empty unless --replace."
            " Stop crawls and the scheduler first: what they write during the"
            " copy is not copied. Afterwards point [database] url (or "
            "AGGREGATOR_DATABASE_URL) at the target."))
def copy(
    to: Annotated[str, typer.Option("--to", help=_("URL of the database to copy into "
                                    "(e.g. postgresql+psycopg://user@host/aggregator)."))],
    source: Annotated[str | None, typer.Option(
        "--from", help=_("URL of the store to copy (default: the configured one)."))] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help=_("Overwrite a target that already holds data."))] = False,
    batch: Annotated[int, typer.Option("--batch", parser=whole_number("--batch", 1),
                                       metavar="N", help=_("Rows per insert batch."))] = 2000,
    sample: Annotated[int, typer.Option(
        "--sample", parser=whole_number("--sample", 1), metavar="N",
        help=_("Rows per table compared column by column after the copy."))] = 200,
) -> None:
    from sqlalchemy.engine import make_url

    from aggregator.store.copy import CopyError, copy_store, iter_problems
    from aggregator.store.engine import create_store_engine, get_engine

    source_url = _url(source)
    if make_url(source_url) == make_url(to):
        raise UserError("--to names the store being copied: give another database")
    source_engine = get_engine(source_url)  # like every command, brings it to the head
    target_engine = create_store_engine(to)
    console.print(f"copying {_shown(source_url)} → {_shown(to)}", highlight=False, markup=False)

    def progress(table: str, done: int, total: int) -> None:
        if done == total or done % (batch * 25) == 0:
            err_console.print(f"  {table}: {done:,} / {total:,} rows", highlight=False,
                              markup=False)

    try:
        report = copy_store(source_engine, target_engine, replace=replace, batch=batch,
                            sample=sample, progress=progress)
    except CopyError as exc:
        raise UserError(str(exc)) from None
    finally:
        target_engine.dispose()
    console.print(_checks_table(report))
    index = "ok" if report.verification.index_ok else "MISMATCH"
    console.print(f"full-text index rebuilt on the target: {index}")
    if report.sequences:
        console.print("ids continue at: " + ", ".join(
            f"{name} {value:,}" for name, value in report.sequences.items()))
    total = sum(report.copied.values())
    console.print(f"{total:,} rows copied in {report.seconds:.1f} s")
    problems = list(iter_problems(report.verification))
    if problems:
        for line in problems[:50]:
            err_console.print(safe(line))
        err_console.print(f"error: the copy differs from the source ({len(problems)} "
                          "difference(s)); the source is untouched")
        sys.exit(1)
    console.print(f"Done. To use it, set url = \"{_shown(to)}\" in [database] of "
                  "aggregator.toml, or AGGREGATOR_DATABASE_URL.", highlight=False, markup=False)
