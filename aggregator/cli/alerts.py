"""`aggregator alerts`: saved searches and their e-mail digests.

    aggregator alerts add "Électricité 13" kind:tender dep:13 cpv:45 électricité \\
        --to achats@example.fr --every daily
    aggregator alerts list
    aggregator alerts show "Électricité 13"      # with what it would send now
    aggregator alerts edit "Électricité 13" --every 07:30
    aggregator alerts run --dry-run --out digests/  # .eml files, nothing sent or marked
    aggregator alerts run                        # send now (the scheduler sends when due)
    aggregator alerts remove "Électricité 13"
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from aggregator.cli import UserError, app
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.i18n import N_, _, pgettext
from aggregator.presentation import every_text, local
from aggregator.terminal.console import console, safe
from aggregator.terminal.fit import Column, fitted_table

alerts_app = typer.Typer(help=_("Saved searches and their e-mail digests."), no_args_is_help=True,
                         rich_markup_mode=None)
app.add_typer(alerts_app, name="alerts")

EVERY_HELP = N_("daily, weekly, or HH:MM (every day at that local time).")


@contextmanager
def _user_errors():
    from aggregator.store.alerts import AlertError

    try:
        yield
    except AlertError as exc:
        raise UserError(str(exc)) from None


def _alert_words(alert) -> dict[str, str]:
    """An alert's name, query, recipients and rhythm as a person reads them."""
    return {"name": alert.name, "query": alert.query or _("(every open listing)"),
            "to": ", ".join(alert.recipients), "every": every_text(alert.every)}


def _engine():
    from aggregator.store.engine import get_engine

    return get_engine()


@alerts_app.command("add", cls=QueryCommand,
    help=_("Save a search whose new matches are e-mailed as a digest."))
def add(
    name: Annotated[str, typer.Argument(metavar=_("NAME"),
        help=_("A name for the alert (used in the subject)."))],
    to: Annotated[list[str], typer.Option("--to", help=_("Recipient(s): ADDR[,ADDR]."))],
    query: Annotated[list[str] | None, typer.Argument(metavar=_("QUERY"),
        help=_("The search, read as `search` reads it: kind:tender dep:13 cpv:45 "
             "\"électricité\" -nettoyage; none for every open listing."))] = None,
    every: Annotated[str, typer.Option(help=_(EVERY_HELP))] = "daily",
) -> None:
    from aggregator.mail.alerts import add_alert

    filter = query_filter(query)
    with _user_errors():
        alert = add_alert(_engine(), name, filter.to_text(), to, every)
    console.print(safe(_("Alert %(name)r saved: %(query)s → %(to)s, %(every)s.")
                       % _alert_words(alert)))
    console.print(safe(_("See what it would send now: aggregator alerts show %(name)r")
                       % {"name": alert.name}))


@alerts_app.command("list", help=_("The saved searches, their recipients, rhythm and last digest."))
def list_() -> None:
    from aggregator.store.alerts import alert_state, list_alerts

    engine = _engine()
    alerts = list_alerts(engine)
    if not alerts:
        console.print(_("No alerts yet: `aggregator alerts add NAME QUERY --to ADDR`."))
        return
    rows = []
    for alert in alerts:
        state = alert_state(engine, alert)
        rows.append({"name": safe(alert.name), "query": safe(alert.query),
                     "to": safe(", ".join(alert.recipients)),
                     "every": Text(every_text(alert.every)),
                     "last run": Text(local(alert.last_run_at)),
                     "last sent": Text(local(alert.last_sent_at)),
                     "sent": Text(str(state.sent_listings)),
                     "pending": safe(str(state.pending),
                                     style="bold red" if state.pending else "")})
    right = {"justify": "right"}
    columns = [Column("name", _("name"), wraps=True), Column("query", _("query"), {"ratio": 2},
                                                              wraps=True),
               Column("to", _("to"), {"ratio": 1}, wraps=True),
               Column("every", _("every"), wraps=True),
               Column("last run", pgettext("alert", "last run"), wraps_last=True),
               Column("last sent", _("last sent"), wraps_last=True),
               Column("sent", _("sent"), right), Column("pending", _("pending"), right)]
    # left out in this order when the terminal is too narrow; the name, query, recipients,
    # rhythm and what waits to be sent stay
    table = fitted_table(columns, rows, console.width, (("last run", 0), ("sent", 0),
                                                        ("last sent", 0)), expand=True)
    console.print(table)


@alerts_app.command("show", help=_("An alert, and the digest it would send now (nothing is sent or "
            "marked)."))
def show(
    name: Annotated[str, typer.Argument(metavar=_("NAME"), help=_("The alert."))],
) -> None:
    from aggregator.config import load_config
    from aggregator.mail.digests import preview
    from aggregator.mail.smtp import error_text
    from aggregator.scheduling.steps import broken_source_lines
    from aggregator.store.alerts import alert_state, get_alert

    engine = _engine()
    with _user_errors():
        alert = get_alert(engine, name)
        state = alert_state(engine, alert)
        config = load_config()
        digest, text = preview(engine, alert,
                               broken_sources=lambda: broken_source_lines(engine, config))
    words = _alert_words(alert)
    facts = Table.grid(padding=(0, 1))
    for label, value in ((_("Alert:"), words["name"]), (_("Query:"), words["query"]),
                         (_("To:"), words["to"]), (_("Every:"), words["every"]),
                         (_("Last run:"), local(alert.last_run_at) or _("never")),
                         (_("Last sent:"), local(alert.last_sent_at) or _("never")),
                         (_("Listings sent so far:"), str(state.sent_listings))):
        facts.add_row(label, safe(value))
    console.print(facts)
    if state.pending:
        console.print(safe(_("Pending digests: %(n)d (not accepted yet: %(error)s)")
                           % {"n": state.pending,
                              "error": error_text(state.last_error) if state.last_error
                              else _("not tried yet")},
                           style="bold red"))
    console.print()
    if digest.empty:
        console.print(_("It would send nothing now: no new, changed or closing matches."))
        return
    console.print(_("It would send now:"), style="bold")
    console.print(safe(text()))


@alerts_app.command("edit", help=_("Change an alert; what it has already sent stays sent."))
def edit(
    name: Annotated[str, typer.Argument(metavar=_("NAME"), help=_("The alert."))],
    new_name: Annotated[str | None, typer.Option("--name", help=_("Rename it."))] = None,
    query: Annotated[str | None, typer.Option(help=_("A new query (compact form)."))] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help=_("New recipient(s)."))] = None,
    every: Annotated[str | None, typer.Option(help=_(EVERY_HELP))] = None,
) -> None:
    from aggregator.mail.alerts import edit_alert

    with _user_errors():
        alert = edit_alert(_engine(), name, new_name=new_name, query=query, recipients=to,
                           every=every)
    console.print(safe(_("Alert %(name)r: %(query)s → %(to)s, %(every)s.")
                       % _alert_words(alert)))


@alerts_app.command("remove",
    help=_("Delete an alert, its pending digests and its record of what was "
            "sent."))
def remove(
    name: Annotated[str, typer.Argument(metavar=_("NAME"), help=_("The alert."))],
) -> None:
    from aggregator.store.alerts import remove_alert

    with _user_errors():
        remove_alert(_engine(), name)
    console.print(safe(_("Alert %(name)r removed.") % {"name": name}))


@alerts_app.command("run", help=_("Send the digests now, whether due or not (pending ones first)."))
def run(
    name: Annotated[str | None, typer.Argument(metavar=_("NAME"),
        help=_("Only this alert (default: all)."))] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=_("Write the messages as .eml files instead of sending them; "
        "nothing is stored or marked as sent."))] = False,
    out: Annotated[Path, typer.Option(
        help=_("Folder for the --dry-run .eml files."))] = Path("digests"),
) -> None:
    from aggregator.config import load_config
    from aggregator.mail.digests import send_due_digests
    from aggregator.scheduling.steps import broken_source_lines
    from aggregator.store.alerts import get_alert

    engine = _engine()
    if name is not None:
        with _user_errors():
            name = get_alert(engine, name).name
    config = load_config()
    summary = send_due_digests(engine, config, names=None if name is None else [name],
                               force=True, dry_run=out if dry_run else None,
                               broken_sources=lambda: broken_source_lines(engine, config),
                               log=False)  # printed below
    if not summary.runs:
        console.print(_("No alerts to run."))
        return
    for alert_run in summary.runs:
        style = {"sent": "green", "failed": "bold red", "pending": "yellow",
                 "busy": "yellow"}.get(alert_run.outcome, "")
        console.print(safe(alert_run.describe(), style=style))
    if any(alert_run.outcome == "pending" for alert_run in summary.runs):
        console.print(safe(_("A digest not sent is kept and sent again at the next run. The "
                             "server that sends them is set in the [smtp] section of "
                             "aggregator.toml (docs/configuration.md); --dry-run writes them "
                             "as .eml files instead."), style="dim"))
    if not summary.ok:
        raise typer.Exit(1)
