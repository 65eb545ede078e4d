"""`aggregator db`: the store's schema revision, upgrades, and copying a store elsewhere."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from aggregator.cli import UserError, app
from aggregator.cli.numbers import whole_number
from aggregator.i18n import _, ngettext, number
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


def _checks_table(report) -> Table:
    table = Table(title=_("Copy checked"), title_justify="left")
    for column, right in ((_("table"), False), (_("source rows"), True),
                          (_("target rows"), True), (_("rows sampled"), True),
                          (_("sampled rows differing"), True), ("", False)):
        table.add_column(column, justify="right" if right else "left")
    for check in report.verification.tables:
        if check.skipped:
            verdict = safe(_(check.note), style="dim")
        elif check.ok:
            verdict = safe("ok", style="green")
        else:
            verdict = safe(_("MISMATCH"), style="bold red")
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
        raise UserError(_("--to names the store being copied: give another database"))
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
    console.print(_checks_table(report))
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
