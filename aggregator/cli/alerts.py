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

from aggregator.cli import UserError, app
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.presentation import local
from aggregator.terminal.console import console, safe

alerts_app = typer.Typer(help="Saved searches and their e-mail digests.", no_args_is_help=True,
                         rich_markup_mode=None)
app.add_typer(alerts_app, name="alerts")

EVERY_HELP = "daily, weekly, or HH:MM (every day at that local time)."


@contextmanager
def _user_errors():
    from aggregator.store.alerts import AlertError

    try:
        yield
    except AlertError as exc:
        raise UserError(str(exc)) from None


def _engine():
    from aggregator.store.engine import get_engine

    return get_engine()


@alerts_app.command("add", cls=QueryCommand)
def add(
    name: Annotated[str, typer.Argument(help="A name for the alert (used in the subject).")],
    to: Annotated[list[str], typer.Option("--to", help="Recipient(s): ADDR[,ADDR].")],
    query: Annotated[list[str] | None, typer.Argument(
        help="The search, read as `search` reads it: kind:tender dep:13 cpv:45 "
             "\"électricité\" -nettoyage; none for every open listing.")] = None,
    every: Annotated[str, typer.Option(help=EVERY_HELP)] = "daily",
) -> None:
    """Save a search whose new matches are e-mailed as a digest."""
    from aggregator.mail.alerts import add_alert

    filter = query_filter(query)
    with _user_errors():
        alert = add_alert(_engine(), name, filter.to_text(), to, every)
    console.print(safe(f"Alert {alert.name!r} saved: {alert.query or '(every open listing)'}"
                       f" → {', '.join(alert.recipients)}, {alert.every}."))
    console.print(safe(f"See what it would send now: aggregator alerts show {alert.name!r}"))


@alerts_app.command("list")
def list_() -> None:
    """The saved searches, their recipients, rhythm and last digest."""
    from aggregator.store.alerts import alert_state, list_alerts

    engine = _engine()
    alerts = list_alerts(engine)
    if not alerts:
        console.print("No alerts yet: `aggregator alerts add NAME QUERY --to ADDR`.")
        return
    table = Table(expand=True)
    for column in ("name", "query", "to", "every", "last run", "last sent", "sent", "pending"):
        table.add_column(column, overflow="fold",
                         justify="right" if column in ("sent", "pending") else "left")
    for alert in alerts:
        state = alert_state(engine, alert)
        table.add_row(safe(alert.name), safe(alert.query), safe(", ".join(alert.recipients)),
                      alert.every, local(alert.last_run_at), local(alert.last_sent_at),
                      str(state.sent_listings),
                      safe(str(state.pending), style="bold red" if state.pending else ""))
    console.print(table)


@alerts_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The alert.")],
) -> None:
    """An alert, and the digest it would send now (nothing is sent or marked)."""
    from aggregator.config import load_config
    from aggregator.mail.digests import preview
    from aggregator.scheduling.steps import broken_source_lines
    from aggregator.store.alerts import alert_state, get_alert

    engine = _engine()
    with _user_errors():
        alert = get_alert(engine, name)
        state = alert_state(engine, alert)
        config = load_config()
        digest, text = preview(engine, alert,
                               broken_sources=lambda: broken_source_lines(engine, config))
    console.print(safe(f"Alert:     {alert.name}"))
    console.print(safe(f"Query:     {alert.query or '(every open listing)'}"))
    console.print(safe(f"To:        {', '.join(alert.recipients)}"))
    console.print(safe(f"Every:     {alert.every}"))
    console.print(f"Last run:  {local(alert.last_run_at) or 'never'}")
    console.print(f"Last sent: {local(alert.last_sent_at) or 'never'}")
    console.print(f"Listings sent so far: {state.sent_listings}")
    if state.pending:
        console.print(safe(f"Pending digests: {state.pending} (not accepted yet: "
                           f"{state.last_error or 'not tried yet'})", style="bold red"))
    console.print()
    if digest.empty:
        console.print("It would send nothing now: no new, changed or closing matches.")
        return
    console.print("It would send now:", style="bold")
    console.print(safe(text()))


@alerts_app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help="The alert.")],
    new_name: Annotated[str | None, typer.Option("--name", help="Rename it.")] = None,
    query: Annotated[str | None, typer.Option(help="A new query (compact form).")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="New recipient(s).")] = None,
    every: Annotated[str | None, typer.Option(help=EVERY_HELP)] = None,
) -> None:
    """Change an alert; what it has already sent stays sent."""
    from aggregator.mail.alerts import edit_alert

    with _user_errors():
        alert = edit_alert(_engine(), name, new_name=new_name, query=query, recipients=to,
                           every=every)
    console.print(safe(f"Alert {alert.name!r}: {alert.query or '(every open listing)'} → "
                       f"{', '.join(alert.recipients)}, {alert.every}."))


@alerts_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The alert.")],
) -> None:
    """Delete an alert, its pending digests and its record of what was sent."""
    from aggregator.store.alerts import remove_alert

    with _user_errors():
        remove_alert(_engine(), name)
    console.print(safe(f"Alert {name!r} removed."))


@alerts_app.command("run")
def run(
    name: Annotated[str | None, typer.Argument(help="Only this alert (default: all).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write the messages as .eml files instead of sending them; "
        "nothing is stored or marked as sent.")] = False,
    out: Annotated[Path, typer.Option(
        help="Folder for the --dry-run .eml files.")] = Path("digests"),
) -> None:
    """Send the digests now, whether due or not (pending ones first)."""
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
                               broken_sources=lambda: broken_source_lines(engine, config))
    if not summary.runs:
        console.print("No alerts to run.")
        return
    for alert_run in summary.runs:
        style = {"sent": "green", "failed": "bold red", "pending": "yellow",
                 "busy": "yellow"}.get(alert_run.outcome, "")
        console.print(safe(alert_run.describe(), style=style))
    if not summary.ok:
        raise typer.Exit(1)
