"""`aggregator export`: every listing a query matches, as CSV, JSON lines or iCalendar.

    aggregator export kind:tender dep:13 cpv:45 --format csv --bom -o tenders.csv
    aggregator export kind:tender dep:13 --excel -o appels.csv
    aggregator export 'kind:job contract:cdi' --format json > jobs.jsonl
    aggregator export kind:tender deadline<30d -f ics -o deadlines.ics

The QUERY words are read as `search` reads them (aggregator/cli/query_words.py).
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aggregator.cli import UserError, app
from aggregator.cli.as_of import AS_OF_HELP, reading_instant
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.i18n import _, ngettext
from aggregator.terminal.console import err_console, safe


class Format(StrEnum):
    csv = "csv"
    json = "json"
    ics = "ics"


@contextmanager
def _text_output(path: Path | None):
    """UTF-8 text with untranslated newlines (JSON lines)."""
    if path is None:
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="",
                                  write_through=True)
        try:
            yield stream
        finally:
            stream.detach()
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        yield stream


@contextmanager
def _binary_output(path: Path | None):
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    from aggregator.export import FileOnFirstWrite

    output = FileOnFirstWrite(path)
    try:
        yield output
    finally:
        if output.file is not None:
            output.file.close()


@app.command("export", cls=QueryCommand,
    help=_("Export every listing QUERY matches (no page limit)."))
def export(
    query: Annotated[list[str] | None, typer.Argument(metavar=_("QUERY"),
        help=_("The search, as for `search` and alerts: words, -exclusions and keys such as "
             "kind:tender dep:13; none for every open listing."))] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help=_("csv, json (JSON lines, "
                                           "the fields of `list --json`) or ics."))
                      ] = Format.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help=_("Write to FILE (default: stdout)."))
                      ] = None,
    bom: Annotated[bool, typer.Option("--bom", help=_("CSV: start with a UTF-8 byte-order mark "
                                      "(Excel needs it to read accents right)."))] = False,
    excel: Annotated[bool, typer.Option("--excel", help=_(
        "CSV for a spreadsheet in your language, opened with a double click: in French, "
        "cells separated by ';' and a decimal comma; with the byte-order mark."))] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    from dataclasses import replace

    from aggregator.export import (
        CSV_COLUMNS,
        RFC_4180,
        export_csv,
        keep_freed_memory,
        spreadsheet_style,
        write_ics,
        write_jsonl,
    )
    from aggregator.query import stream
    from aggregator.query.sql import STREAM_COLUMNS
    from aggregator.store.engine import get_engine

    if excel and format is not Format.csv:
        raise UserError(_("--excel writes a CSV: leave out --format %(format)s.")
                        % {"format": format.value})
    engine = get_engine()
    filter = query_filter(query, limit=None)
    instant, note = reading_instant(engine, as_of)
    if note:
        err_console.print(note, style="yellow", markup=False)
    filter = replace(filter, as_of=instant)
    keep_freed_memory()
    # each format reads in batches, and only the columns it writes
    count: int
    if format is Format.ics:
        # Streamed, and the file opened at the first event: with no deadline there is no
        # valid calendar (RFC 5545), so nothing is written at all.
        with _binary_output(output) as binary:
            count = write_ics(stream(engine, filter, columns=STREAM_COLUMNS), binary)
        if not count:
            message = _("Nothing to export: no listing matching %(query)s has a deadline; "
                        "no calendar written.")
            err_console.print(safe(message % {"query": filter.to_text() or _("open listings")}),
                              soft_wrap=True)
            raise typer.Exit(1)
        what = ngettext("%(n)d deadline event written to %(path)s",
                        "%(n)d deadline events written to %(path)s", count)
    else:
        if format is Format.csv:  # bytes: SQL writes the lines in UTF-8
            with _binary_output(output) as binary:
                count = export_csv(engine, filter, binary, bom=bom or excel,
                                   style=spreadsheet_style() if excel else RFC_4180)
        else:
            with _text_output(output) as text:
                count = write_jsonl(stream(engine, filter, columns=CSV_COLUMNS), text)
        what = ngettext("%(n)d listing written to %(path)s",
                        "%(n)d listings written to %(path)s", count)
    if output is not None:
        err_console.print(safe(what % {"n": count, "path": output}), soft_wrap=True)
