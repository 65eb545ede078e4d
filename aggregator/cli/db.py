"""`aggregator db`: the store's schema revision, upgrades, and copying a store elsewhere."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from aggregator.cli import UserError, app
from aggregator.cli.numbers import whole_number
from aggregator.i18n import _, ngettext, number, pgettext
from aggregator.terminal.console import console, err_console, safe

db_app = typer.Typer(help=_("The store's schema (Alembic revisions) and moving it to another "
                     "database."), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")

UrlOption = Annotated[str | None, typer.Option(
    "--url", help=_("Database URL (default: the configured store)."))]


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    # a SQLite URL holds no password, and rendering it would quote ":memory:" as %3A
    return url if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(
        hide_password=True)


def _missing_file(url: str) -> bool:
    """Whether ``url`` names a SQLite file that does not exist (opening it would create it)."""
    from aggregator.store.engine import sqlite_file

    path = sqlite_file(url)
    return path is not None and not path.exists()


def _url(url: str | None) -> str:
    from aggregator.config import database_url

    return url or database_url()


@db_app.command("current", help=_("The schema revision of the store, and whether it is the newest "
            "one (head)."))
def current(url: UrlOption = None) -> None:
    from aggregator.store.engine import create_store_engine, current_revision, head_revision

    url = _url(url)
    # no upgrade, and no file created where there is none: this only looks
    engine = create_store_engine("sqlite://" if _missing_file(url) else url)
    try:
        revision, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    console.print(_("database: %(url)s") % {"url": _shown(url)}, highlight=False, markup=False)
    if revision is None:
        console.print(_("revision: none (no schema yet; head is %(head)s: "
                        "`aggregator db upgrade` creates it)") % {"head": head})
    elif revision == head:
        console.print(_("revision: %(revision)s (head)") % {"revision": revision})
    else:
        console.print(_("revision: %(revision)s (not the head %(head)s: run `aggregator db "
                        "upgrade`)") % {"revision": revision, "head": head})


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
    console.print(_("database: %(url)s") % {"url": _shown(url)}, highlight=False, markup=False)
    if before == after:
        console.print(_("already at the head revision %(head)s") % {"head": head})
    else:
        console.print(_("upgraded: %(before)s → %(after)s")
                      % {"before": before or _("empty"), "after": after})


def _checks_table(report, width: int) -> Table:
    from rich.text import Text

    from aggregator.terminal.fit import Column, fitted_table

    right = {"justify": "right"}
    # one word per heading (the title says they count rows): 80 columns hold them all
    columns = [Column("table", _("table")),
               *(Column(name, heading, right) for name, heading in (
                   ("source", pgettext("copy", "source")), ("target", pgettext("copy", "copy")),
                   ("sampled", pgettext("copy", "compared")),
                   ("differing", pgettext("copy", "differing")))),
               Column("verdict", "", {"ratio": 1}, wraps=True)]
    rows = []
    for check in report.verification.tables:
        if check.skipped:
            verdict = safe(_(check.note), style="dim")
        elif check.ok:
            verdict = safe("ok", style="green")
        else:
            verdict = safe(_("MISMATCH"), style="bold red")
        rows.append({"table": Text(check.name), "source": Text(number(check.source_rows)),
                     "target": Text(number(check.target_rows)),
                     "sampled": Text("" if check.skipped else number(check.sampled)),
                     "differing": Text("" if check.skipped else number(len(check.mismatches))),
                     "verdict": verdict})
    return fitted_table(columns, rows, width, (), title=_("Copy checked (rows per table)"),
                        title_justify="left", expand=True)


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
        raise UserError(_("--to names the store being copied: give another database"))
    if _missing_file(source_url):  # opening it would create an empty store, and copy that
        raise UserError(_("no store at %(url)s: nothing to copy") % {"url": source_url})
    source_engine = get_engine(source_url)  # like every command, brings it to the head
    target_engine = create_store_engine(to)
    console.print(_("copying %(source)s → %(target)s") % {
        "source": _shown(source_url), "target": _shown(to)}, highlight=False, markup=False)

    def progress(table: str, done: int, total: int) -> None:
        if done == total or done % (batch * 25) == 0:
            err_console.print("  " + ngettext("%(table)s: %(done)s / %(total)s row",
                                              "%(table)s: %(done)s / %(total)s rows", total)
                              % {"table": table, "done": number(done), "total": number(total)},
                              highlight=False, markup=False)

    try:
        report = copy_store(source_engine, target_engine, replace=replace, batch=batch,
                            sample=sample, progress=progress)
    except CopyError as exc:
        raise UserError(str(exc)) from None
    finally:
        target_engine.dispose()
    console.print(_checks_table(report, console.width))
    index = "ok" if report.verification.index_ok else _("MISMATCH")
    console.print(_("full-text index rebuilt on the target: %(index)s") % {"index": index})
    if report.sequences:
        console.print(_("ids continue at: %(ids)s") % {"ids": ", ".join(
            f"{name} {number(value)}" for name, value in report.sequences.items())})
    total = sum(report.copied.values())
    console.print(ngettext("%(n)s row copied in %(seconds)s s",
                           "%(n)s rows copied in %(seconds)s s", total)
                  % {"n": number(total), "seconds": number(round(report.seconds, 1))})
    problems = list(iter_problems(report.verification))
    if problems:
        for line in problems[:50]:
            err_console.print(safe(line))
        err_console.print(ngettext(
            "error: the copy differs from the source (%(n)d difference); the source is "
            "untouched", "error: the copy differs from the source (%(n)d differences); the "
            "source is untouched", len(problems)) % {"n": len(problems)})
        sys.exit(1)
    console.print(_("Done. To use it, set url = \"%(url)s\" in [database] of "
                    "aggregator.toml, or AGGREGATOR_DATABASE_URL.") % {"url": _shown(to)},
                  highlight=False, markup=False)
