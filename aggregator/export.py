"""Listing records as docs/listing-fields.md defines them, and the writers that print them:
JSON lines, spreadsheet-safe CSV and iCalendar deadlines (stable UIDs)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import islice
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from aggregator.config import LOCAL_TZ
from aggregator.i18n import BABEL_LOCALES, N_, _, language
from aggregator.normalize.text import (
    ASCII_CONTROLS,
    has_controls,
    has_controls_utf8,
    strip_controls,
)
from aggregator.presentation import cpv_labels, department_name, place, region_name
from aggregator.store import tables
from aggregator.store.status import status_at
from aggregator.store.tables import UTCDateTime

if TYPE_CHECKING:
    from icalendar import Calendar, Event

    from aggregator.query.language import Filter
    from aggregator.query.records import ListingRecord

# The listing's fields (docs/listing-fields.md), in order: what `list --json` prints.
LISTING_FIELDS = (
    "kind", "source", "source_id", "url", "title", "organization", "description",
    "city", "postal_code", "department", "region", "country", "remote",
    "published_at", "deadline_at", "contract_type", "cpv", "status",
    "first_seen_at", "last_seen_at",
)
# More fields, after the contract's ones.
EXTRA_FIELDS = (
    "id", "insee_code", "deadline_time_given", "working_time", "salary_min", "salary_max",
    "salary_currency", "salary_period", "procedure", "estimated_value", "currency",
    # awards (docs/awards.md)
    "buyer_id", "suppliers", "amount", "awarded_at", "duration_months", "ends_at", "nature",
    "offers_received",
)


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


_RECORD_FIELDS = (*LISTING_FIELDS, *EXTRA_FIELDS)
_record_values = attrgetter(*_RECORD_FIELDS)
_BATCH = 1000  # rows written at a time (CSV writerows, JSON lines)


def listing_record(listing: ListingRecord) -> dict[str, Any]:
    """One listing (or a row of :func:`aggregator.query.stream`) as a JSON-ready dict with
    the documented field names."""
    return {name: _value(value)
            for name, value in zip(_RECORD_FIELDS, _record_values(listing), strict=True)}


def write_jsonl(listings: Iterable[ListingRecord], out: IO[str]) -> int:
    """One :func:`listing_record` per line; returns how many were written."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps builds per call
    count = 0
    lines: list[str] = []
    for listing in listings:
        lines.append(encode(listing_record(listing)))
        if len(lines) == _BATCH:  # one write per batch, not per line
            out.write("\n".join(lines) + "\n")
            count += len(lines)
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")
    return count + len(lines)


# --- Spreadsheet-safe CSV -------------------------------------------------------------------

# For a person reading the sheet: the names beside the department and region codes, where
# the place came from when the notice named none ("buyer address"), and the CPV codes in words
# in the reader's language (the JSON keeps codes alone).
_CSV_NAMES = {"department": "department_name", "region": "region_name"}
CSV_FIELDS = (*(f for name in LISTING_FIELDS for f in (name, _CSV_NAMES.get(name)) if f),
              *EXTRA_FIELDS, "place_source", "cpv_labels")


# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets
# (OWASP "CSV Injection"; ASVS 1.2.10 adds NUL): such a cell gets a leading `'`, which the
# spreadsheet takes as "this is text" and does not show.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvStyle:
    """What separates a CSV's cells, and a decimal number's whole part from its fraction."""

    separator: str = ","
    decimal: str = "."

    def number(self, value: int | float) -> str:
        text = repr(value)
        return text if self.decimal == "." else text.replace(".", self.decimal)


RFC_4180 = CsvStyle()  # what programs read


def spreadsheet_style() -> CsvStyle:
    """The CSV a spreadsheet set to the reader's language splits into columns when the file
    is opened with a double click: Excel takes the list separator and the decimal sign of the
    system's region, which in French are ``;`` and ``,`` (a ``,``-separated file lands in one
    column, ``1234.5`` is read as text)."""
    from babel.numbers import get_decimal_symbol

    decimal = get_decimal_symbol(BABEL_LOCALES[language()])
    return CsvStyle(";" if decimal == "," else ",", decimal)


def neutralise_formula(cell: str) -> str:
    """``cell`` as text a spreadsheet will never evaluate."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _csv_cell(value: Any) -> str | int | float:
    cls = type(value)
    if cls is str:  # most cells: tested first
        return neutralise_formula(strip_controls(value))
    if value is None:
        return ""
    if cls is bool:
        return "true" if value else "false"
    if cls is int or cls is float:
        return value  # numbers we computed ourselves: never a formula
    if cls is datetime:
        return value.isoformat()
    if isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value):
        value = json.dumps(value, ensure_ascii=False)  # suppliers: one cell a program can read
    elif isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    return neutralise_formula(strip_controls(str(value)))


# what CSV and JSON lines read: pass to aggregator.query.stream so that nothing else is read
CSV_COLUMNS = tuple(tables.listings.c[name]
                    for name in (*LISTING_FIELDS, *EXTRA_FIELDS, "details"))

# A CSV row before its cells are cleaned (write_csv): the record's values in _RECORD_FIELDS
# order, then the place source; "" for no value but numbers' None, instants and booleans
# already as the CSV writes them, the JSON lists as they are.
_DEPARTMENT = _RECORD_FIELDS.index("department")
_REGION = _RECORD_FIELDS.index("region")
_CPV = _RECORD_FIELDS.index("cpv")
_SUPPLIERS = _RECORD_FIELDS.index("suppliers")
_PLACE_SOURCE = len(_RECORD_FIELDS)
_COLUMN_TYPES = {name: type(tables.listings.c[name].type) for name in _RECORD_FIELDS}
_INSTANTS = tuple(name for name, cls in _COLUMN_TYPES.items() if cls is UTCDateTime)
_BOOLEANS = tuple(name for name, cls in _COLUMN_TYPES.items() if cls is Boolean)
_NUMBERS = tuple(i for i, cls in enumerate(_COLUMN_TYPES.values()) if cls in (Integer, Float))
# Text cells are checked a batch at a time: joined by newlines, one scan finds whether any
# holds a control character or starts (or has a line starting) like a formula; only then is
# each row, then each of its cells, cleaned on its own.
_TEXT = (*(i for i, cls in enumerate(_COLUMN_TYPES.values()) if issubclass(cls, String)),
         _PLACE_SOURCE)
_texts = itemgetter(*_TEXT)
_FORMULA_LINE = re.compile(r"\n[=+\-@\t\r\0]")  # a literal first: a fast scan
_record_and_details = attrgetter(*_RECORD_FIELDS, "details")
_CSV_NUMBERS = tuple(CSV_FIELDS.index(_RECORD_FIELDS[i]) for i in _NUMBERS)


def _sql_string(text: str) -> ColumnElement[Any]:
    """``text`` written in the statement: SQLite reads a bound text without its terminating
    NUL, and copies it into a new buffer each time printf() or the driver reads it as text
    (half of the statement's time when every cell's formula mark and empty value was one)."""
    return literal_column("'" + text.replace("'", "''") + "'", Text)


def _csv_column(name: str, dialect: str, as_of: datetime | None) -> ColumnElement[Any]:
    if _COLUMN_TYPES[name] in (Integer, Float):
        return tables.listings.c[name]
    return func.coalesce(_csv_text(name, dialect, as_of), _sql_string(""))


def _csv_text(name: str, dialect: str, as_of: datetime | None) -> ColumnElement[Any]:
    column = tables.listings.c[name]
    if name in _INSTANTS:  # isoformat() of the aware UTC instant
        if dialect == "postgresql":
            text = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US')
        else:  # stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
            text = func.replace(type_coerce(column, String), " ", "T")
        return func.replace(text, ".000000", "") + "+00:00"
    if name in _BOOLEANS:
        return case((column.is_(True), _sql_string("true")),
                    (column.is_(False), _sql_string("false")))
    if name in ("cpv", "suppliers"):  # the JSON text, decoded once per distinct value
        return cast(column, Text) if dialect == "postgresql" else type_coerce(column, Text)
    if name == "status" and as_of is not None:
        return status_at(as_of)
    return column


# the record's cells the CSV writes as they are (text, or JSON decoded once per value)
_AS_THEY_ARE = frozenset((*_TEXT, _CPV, _SUPPLIERS))


def _listing_row(listing: ListingRecord) -> tuple[Any, ...]:
    """A listing (or a row of :func:`aggregator.query.stream`) as a CSV row before its cells
    are cleaned."""
    *values, details = _record_and_details(listing)
    place_source = (details or {}).get("place_source")
    return (*(_stored(index, value) for index, value in enumerate(values)),
            "" if place_source is None else place_source)


def _stored(index: int, value: Any) -> Any:
    if value is None:
        return None if index in _NUMBERS else ""
    return value if index in _AS_THEY_ARE else _csv_cell(value)


class _Labels(dict):
    """``function(key)`` remembered per key: an export looks up the same few department,
    region and CPV codes over and over."""

    def __init__(self, function: Any) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.function(key)
        return value


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value else value or None


def _cpv_cells(codes: Any) -> tuple[Any, str]:
    """The cpv cell and the cpv_labels cell of the stored codes."""
    codes = _json(codes) or ()
    return _csv_cell(codes), _csv_cell("; ".join(cpv_labels(tuple(codes))))


# A number is written bare: marked while cells are quoted, its quotes dropped after, a batch
# at a time (the mark is a control character, which no cleaned cell holds). Quoting each
# cell with str.replace costs far less than the csv module's scan of every character.
_NUMBER = "\x1d"


def _number(value: Any, style: CsvStyle) -> str:
    return value if type(value) is str else f"{_NUMBER}{style.number(value)}{_NUMBER}"


def _csv_lines(rows: list[list[Any]], style: CsvStyle) -> str:
    """``rows`` (text cells, and numbers or None where CSV_FIELDS has numbers) as CRLF
    lines, as csv.writer with QUOTE_NONNUMERIC writes them."""
    for row in rows:
        for index in _CSV_NUMBERS:
            value = row[index]
            if type(value) is not str:
                row[index] = "" if value is None else _number(value, style)
    between = f'"{style.separator}"'
    lines = []
    for row in rows:
        try:
            quotes = '"' in "".join(row)  # seldom: a row is quoted cell by cell only then
        except TypeError:  # a number where text was expected (a Listing built by hand)
            row, quotes = [_number(cell, style) for cell in row], True
        lines.append(between.join([cell.replace('"', '""') for cell in row] if quotes else row))
    body = '"\r\n"'.join(lines)
    return f'"{body}"\r\n'.replace(f'"{_NUMBER}', "").replace(f'{_NUMBER}"', "")


class _CsvRows:
    """Rows as :func:`_listing_row` makes them turned into the text of the CSV's lines, with
    the department, region and CPV names looked up once per code."""

    def __init__(self, style: CsvStyle) -> None:
        self.style = style
        self.departments = _Labels(lambda code: _csv_cell(department_name(code)))
        self.regions = _Labels(lambda code: _csv_cell(region_name(code)))
        self.cpvs = _Labels(_cpv_cells)

    def lines(self, rows: Sequence[Sequence[Any]]) -> str:
        cells = [list(row) for row in rows]
        try:
            joined = "\n".join([text for row in cells for text in _texts(row)])
            clean = not (joined.startswith(FORMULA_START) or _FORMULA_LINE.search(joined)
                         or has_controls(joined))
        except TypeError:  # a text attribute holding something else (a Listing built by hand)
            clean = False
        if not clean:
            cells = [self._clean(row) for row in cells]
        departments, regions, cpvs = self.departments, self.regions, self.cpvs
        for row, stored in zip(cells, rows, strict=True):
            cpv = stored[_CPV]
            row[_CPV], labels = cpvs[tuple(cpv) if isinstance(cpv, list) else cpv]
            suppliers = stored[_SUPPLIERS]
            row[_SUPPLIERS] = ("" if suppliers in ("", "[]", "null")
                               else _csv_cell(_json(suppliers)))
            # CSV_FIELDS: each code's name after it, the CPV names last
            row.append(labels)
            row.insert(_REGION + 1, regions[stored[_REGION]])
            row.insert(_DEPARTMENT + 1, departments[stored[_DEPARTMENT]])
        return _csv_lines(cells, self.style)

    @staticmethod
    def _clean(row: list[Any]) -> list[Any]:
        try:
            joined = "\n".join(_texts(row))
            if not (joined.startswith(FORMULA_START) or _FORMULA_LINE.search(joined)
                    or has_controls(joined)):
                return row
        except TypeError:
            pass
        for index in _TEXT:
            row[index] = _csv_cell(row[index])
        return row


def _csv_header(style: CsvStyle) -> str:
    """The first line, as csv.writer with QUOTE_NONNUMERIC writes it."""
    return '"' + f'"{style.separator}"'.join(CSV_FIELDS) + '"\r\n'


def write_csv(listings: Iterable[ListingRecord], out: IO[str], *, bom: bool = False,
              style: CsvStyle = RFC_4180) -> int:
    """Listings (or rows of :func:`aggregator.query.stream`) as CSV with the `--json` field
    names; returns how many rows were written.

    UTF-8 text (``out`` should be opened with ``encoding="utf-8", newline=""``), RFC 4180
    CRLF rows, every text cell quoted and formula-neutralised; ``bom`` starts the file with
    a byte-order mark, which Excel needs to read UTF-8; ``style``: the separator and decimal
    sign (:func:`spreadsheet_style` for a spreadsheet).
    """
    out.write((BOM if bom else "") + _csv_header(style))
    lines = _CsvRows(style)
    rows = map(_listing_row, listings)
    count = 0
    for batch in iter(lambda: list(islice(rows, _BATCH)), []):
        out.write(lines.lines(batch))
        count += len(batch)
    return count


def export_csv(engine: Engine, filter: Filter, out: IO[bytes], *, bom: bool = False,
               style: CsvStyle = RFC_4180) -> int:
    """What :func:`write_csv` writes of every listing ``filter`` matches, as UTF-8 bytes,
    read in batches with SQL writing the lines but for a few cells (see :data:`_SLOTS`)."""
    from aggregator.query import stream_batches

    dialect = engine.dialect.name
    lines = _SqlLines(dialect, style)
    out.write(((BOM if bom else "") + _csv_header(style)).encode())
    count = 0
    for batch in stream_batches(engine, filter, csv_columns(dialect, filter.as_of, style),
                                batch=_BATCH):
        out.write(lines.text(batch))
        count += len(batch)
    return count


# glibc's mallopt() parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> None:
    """Have the C library keep the memory an export frees, for its next batch: glibc gives
    the top of the heap back to the system once a batch's buffers are freed, and the next
    batch faults the same pages in again (~120,000 page faults at 100,000 CSV rows, a sixth
    of the export's CPU time). For a process that exports then exits; a no-op but on Linux."""
    if sys.platform != "linux":
        return
    import ctypes  # here: only an export needs it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without it
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # a batch's buffers from the heap, not mmap()
    mallopt(_M_TRIM_THRESHOLD, 64 << 20)


# --- CSV lines written by SQL (export_csv) -----------------------------------------------

# export_csv has SQL write whole lines, quoted, formula-neutralised and as UTF-8, but for
# these cells, which Python writes from the column named: the names of the codes (CPV ones
# in the reader's language) looked up once per code, the JSON lists decoded once per
# distinct text, and the floats as repr() writes them (SQL's text of a float differs).
_PYTHON_CELLS = {"department_name": "department", "region_name": "region", "cpv": "cpv",
                 "salary_min": "salary_min", "salary_max": "salary_max",
                 "estimated_value": "estimated_value", "suppliers": "suppliers",
                 "amount": "amount", "cpv_labels": "cpv"}


def _csv_slots() -> tuple[str | tuple[str, ...], ...]:
    slots: list[str | tuple[str, ...]] = []
    for field in CSV_FIELDS:
        if field in _PYTHON_CELLS:
            slots.append(field)
        elif slots and isinstance(slots[-1], tuple):
            slots[-1] += (field,)
        else:
            slots.append((field,))
    return tuple(slots)


# CSV_FIELDS as the columns export_csv selects, in order: a run of cells SQL writes (the text
# between two cells Python writes), or the field of a cell Python writes
_SLOTS = _csv_slots()
# SQLite writes each row's line in one printf (fewer calls, fewer columns handed over), with
# this byte, which UTF-8 text never holds either, where each cell Python writes goes.
_CELL = b"\xfe"
_PYTHON_SOURCES = tuple(dict.fromkeys(_PYTHON_CELLS.values()))  # the columns they are read from
# The code points that start a formula but NUL: SQLite's printf ends a text at its first NUL
# (where write_csv drops the NUL alone; no normaliser stores one, PostgreSQL cannot hold one).
_FORMULA_CODES = {ord(c): "'" for c in FORMULA_START if c != "\0"}


def _sql_cell(field: str, dialect: str, as_of: datetime | None
              ) -> tuple[str, ColumnElement[Any]]:
    """A cell's text in SQL, and how the CSV writes it: "text" quoted and neutralised,
    "quoted" as it is (instants and booleans: never a quote nor a formula), "number" bare."""
    if field == "place_source":
        return "text", tables.listings.c.details["place_source"].as_string()
    if _COLUMN_TYPES[field] is Integer:
        return "number", cast(tables.listings.c[field], Text)
    kind = "quoted" if field in _INSTANTS or field in _BOOLEANS else "text"
    return kind, _csv_text(field, dialect, as_of)


def _formula_mark(text: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """``'`` when ``text`` starts like a formula, else nothing."""
    first = func.unicode(text) if dialect == "sqlite" else func.ascii(text)  # a code point
    return case({code: _sql_string(mark) for code, mark in _FORMULA_CODES.items()},
                value=first, else_=_sql_string(""))


def _neutralised(column: Column[Any]) -> ColumnElement[Any]:
    """A SQLite text column's value as a cell neutralised: a text from "A" on (most) or
    starting with a digit (codes) cannot start like a formula, which comparisons tell with no
    function called."""
    safe = or_(column >= _sql_string("A"),
               and_(column >= _sql_string("0"), column < _sql_string(":")))
    return case((safe, column), else_=_formula_mark(column, "sqlite").concat(column))


# SQLite writes this byte where a cell's quotes go, one that UTF-8 text never holds: Python
# doubles the quotes of the text with one bytes.replace per batch, then turns these into
# quotes (SQLite's printf %w or replace() would scan the text a byte at a time, far slower).
_QUOTE = b"\xff"
_QUOTES = bytes.maketrans(_QUOTE, b'"')


def _sqlite_text(data: bytes) -> ColumnElement[Any]:
    """``data`` as SQLite text, which may hold _QUOTE: cast once for the statement, where a
    blob would be turned into text again for each row."""
    return cast(literal(data, LargeBinary), Text)


def _sql_cells(fields: tuple[str, ...], dialect: str, as_of: datetime | None,
               separator: str) -> ColumnElement[Any]:
    """``fields``' cells and the separators between them, as one expression (on SQLite, the
    whole line and its end)."""
    if dialect == "sqlite":
        cells = [("python", None) if field in _PYTHON_CELLS else _sql_cell(field, dialect, as_of)
                 for field in fields]
        # printf writes the cells in one go (|| would copy the line once per cell), and the
        # bytes as stored are handed over: nothing decoded, quotes not yet doubled. A NULL
        # is written as nothing; a number's quotes, a constant (given its NUL once), cut.
        formats = {"text": b"\xff%s\xff", "marked": b"\xff%s%s\xff", "quoted": b"\xff%s\xff",
                   "number": b"%.*s%s", "python": _CELL}
        kinds: list[str] = []
        values: list[Any] = []
        for kind, text in cells:
            if kind == "number":
                values += [case((text.is_(None), 2), else_=0), _sqlite_text(_QUOTE * 2), text]
            elif kind == "text" and isinstance(text, Column):
                values.append(_neutralised(text))
            elif kind == "text":  # an expression, computed once: its mark apart
                kind = "marked"
                values += [_formula_mark(text, dialect), text]
            elif kind != "python":
                values.append(text)
            kinds.append(kind)
        line_format = _sqlite_text(separator.encode().join(formats[kind] for kind in kinds)
                                   + b"\r\n")
        return cast(func.printf(line_format, *values), LargeBinary)
    cells = [_sql_cell(field, dialect, as_of) for field in fields]
    quote = literal('"', Text)
    return func.concat_ws(separator, *(
        func.concat(quote, _formula_mark(text, dialect), func.replace(text, '"', '""'), quote)
        if kind == "text" else func.concat(quote, text, quote) if kind == "quoted"
        else func.coalesce(text, '""') for kind, text in cells))


def csv_columns(dialect: str, as_of: datetime | None = None,
                style: CsvStyle = RFC_4180) -> list[ColumnElement[Any]]:
    """What :func:`export_csv` selects (the status as it was at ``as_of`` when given): on
    SQLite the line, then each column Python writes cells from; else one column per slot of
    :data:`_SLOTS`."""
    if dialect == "sqlite":
        return [_sql_cells(CSV_FIELDS, dialect, as_of, style.separator).label("line"),
                *(_csv_column(name, dialect, as_of).label(name) for name in _PYTHON_SOURCES)]
    columns = []
    for index, slot in enumerate(_SLOTS):
        if isinstance(slot, tuple):
            columns.append(_sql_cells(slot, dialect, as_of, style.separator)
                           .label(f"cells_{index}"))
        else:
            columns.append(_csv_column(_PYTHON_CELLS[slot], dialect, as_of).label(slot))
    return columns


def _cleaned_line(line: bytes, separator: str) -> bytes:
    """A line holding control characters, with its cells cleaned as write_csv cleans them.
    SQL neutralised the cells as stored: the same as once stripped but for a cell that a
    control hid a formula in, neutralised here."""
    cells = next(csv.reader([line.decode()], delimiter=separator))
    return separator.join([cell if index in _CSV_NUMBERS and cell else
                     '"' + _csv_cell(cell).replace('"', '""') + '"'
                     for index, cell in enumerate(cells)]).encode()


def _filled(text: bytes, cells: list[bytes]) -> bytes:
    """``text`` with each _CELL in it replaced by the next of ``cells``."""
    pieces = text.split(_CELL)
    if len(pieces) != len(cells) + 1:  # a misplaced cell would shift every one after it
        raise ValueError("a stored text holds the byte 0xfe, which UTF-8 never does")
    parts = [b""] * (len(pieces) + len(cells))
    parts[::2] = pieces
    parts[1::2] = cells
    return b"".join(parts)


class _SqlLines:
    """Batches of rows as :func:`csv_columns` reads them turned into the bytes of their CSV
    lines: Python writes its cells column by column (with _QUOTE for quotes) and puts them in
    the lines (SQLite) or joins them with the slots SQL wrote (PostgreSQL), then doubles the
    text's quotes where SQL left them single."""

    def __init__(self, dialect: str, style: CsvStyle) -> None:
        self.double_quotes = dialect == "sqlite"  # see _sql_cells
        self.separator = style.separator

        def float_cell(value: float | None) -> bytes:
            return _QUOTE * 2 if value is None else style.number(value).encode()

        def quoted(cell: str) -> bytes:
            if not self.double_quotes:
                cell = cell.replace('"', '""')
            return _QUOTE + cell.encode() + _QUOTE

        def suppliers(text: str) -> bytes:
            return _QUOTE * 2 if text in ("", "[]", "null") else quoted(_csv_cell(_json(text)))

        cpvs = _Labels(lambda codes: quoted(_cpv_cells(codes)[0]))
        cpv_labels = _Labels(lambda codes: quoted(_cpv_cells(codes)[1]))
        departments = _Labels(lambda code: quoted(_csv_cell(department_name(code))))
        regions = _Labels(lambda code: quoted(_csv_cell(region_name(code))))
        writers: dict[str, Any] = {
            "department_name": departments.__getitem__, "region_name": regions.__getitem__,
            "cpv": cpvs.__getitem__, "cpv_labels": cpv_labels.__getitem__,
            "suppliers": suppliers, "salary_min": float_cell, "salary_max": float_cell,
            "estimated_value": float_cell, "amount": float_cell}
        # SQLite: each cell Python writes, in the line's order, and the column it is written
        # from (the line first); PostgreSQL: each slot's writer (its lines come as text)
        self.cells = [(writers[field], 1 + _PYTHON_SOURCES.index(_PYTHON_CELLS[field]))
                      for field in CSV_FIELDS if field in _PYTHON_CELLS]
        self.writers = [str.encode if isinstance(slot, tuple) else writers[slot]
                        for slot in _SLOTS]

    def text(self, rows: Sequence[Sequence[Any]]) -> bytes:
        columns = list(zip(*rows, strict=True))
        size = len(self.cells)
        if self.double_quotes:
            lines = columns[0]
            cells: list[bytes] = [b""] * (len(lines) * size)  # row after row
            for index, (write, source) in enumerate(self.cells):
                cells[index::size] = map(write, columns[source])
            body = _filled(b"".join(lines), cells)
        else:
            slots = [map(write, column)
                     for write, column in zip(self.writers, columns, strict=True)]
            lines = list(map(self.separator.encode().join, zip(*slots, strict=True)))
            body = b"\r\n".join(lines) + b"\r\n"
        body = self._quoted(body)
        # one pass turns _QUOTE into quotes and finds the ASCII control characters
        text = body.translate(_QUOTES, ASCII_CONTROLS)
        if len(text) == len(body) and not has_controls_utf8(body, ascii=False):
            return text
        # seldom: the normalisers strip control characters before storing
        if self.double_quotes:  # each line without its end, with its own cells
            lines = [_filled(line[:-2], cells[index * size:(index + 1) * size])
                     for index, line in enumerate(lines)]
        lines = [self._quoted(line).translate(_QUOTES) for line in lines]
        return b"".join([(_cleaned_line(line, self.separator) if has_controls_utf8(line)
                          else line) + b"\r\n" for line in lines])

    def _quoted(self, text: bytes) -> bytes:
        return text.replace(b'"', b'""') if self.double_quotes and b'"' in text else text


# --- iCalendar deadlines --------------------------------------------------------------------

# UIDs are name-based UUIDs of (source, source_id[, lot]) in this namespace: the same listing
# gets the same UID in every export and digest, so a calendar updates its event in place.
UID_NAMESPACE = uuid.UUID("6f1d2c3e-8a4b-5c6d-9e7f-a0b1c2d3e4f5")
UID_DOMAIN = "aggregator.invalid"
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_SUMMARY_PREFIX = {"tender": N_("Tender deadline"), "job": N_("Application deadline")}
_OTHER_DEADLINE = N_("Deadline")


def event_uid(source: str, source_id: str, lot: str | None = None) -> str:
    """The stable UID of a listing's deadline event (one per lot when lots differ)."""
    name = f"{source}\x1f{source_id}" + (f"\x1flot\x1f{lot}" if lot is not None else "")
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


def _one_line(value: object) -> str:
    """Untrusted text for a calendar field: no control characters, single spaces."""
    return " ".join(strip_controls(str(value)).split()) if value is not None else ""


def _web_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _place_text(listing: ListingRecord) -> str:
    return _one_line(place(listing))  # as the CLI, the TUI and the digest show it


def _deadline_event(listing: ListingRecord, deadline: datetime, uid: str, now: datetime,
                    lot_label: str | None, tz: tzinfo, time_given: bool | None) -> Event:
    from icalendar import Event  # here: only calendars need it, not every command

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    if time_given is False:
        event.add("dtstart", deadline.astimezone(tz).date())  # a day, not an instant
    else:
        event.add("dtstart", deadline.astimezone(UTC))
    title = _one_line(listing.title)
    prefix = _(_SUMMARY_PREFIX.get(listing.kind, _OTHER_DEADLINE))
    if lot_label:
        prefix = _("%(deadline)s (lot %(lot)s)") % {"deadline": prefix,
                                                   "lot": _one_line(lot_label)}
    event.add("summary", _("%(deadline)s: %(title)s") % {"deadline": prefix, "title": title})
    lines = [_one_line(v) for v in (listing.organization, _place_text(listing)) if v]
    lines.append(_one_line(f"{listing.source}: {listing.source_id}"))
    url = _web_url(listing.url)
    if url:
        lines.append(url)
        event.add("url", url)
    event.add("description", "\n".join(lines))
    if _place_text(listing):
        event.add("location", _place_text(listing))
    event.add("categories", [listing.kind])
    event.add("status", "CANCELLED" if listing.status == "cancelled" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    # Calendars apply an update only when SEQUENCE grows: minutes since 2020 of the last
    # change to the listing grow with every change and fit RFC 5545's 31-bit integer.
    changed = listing.updated_at or listing.first_seen_at or now
    event.add("last-modified", changed.astimezone(UTC))
    event.add("sequence", max(0, int((changed - _SEQUENCE_EPOCH).total_seconds() // 60)))
    return event


def deadline_events(listing: ListingRecord, now: datetime, tz: tzinfo = LOCAL_TZ) -> list[Event]:
    """One event for the listing's deadline, and one per lot whose deadline differs."""
    events = []
    if listing.deadline_at is not None:
        events.append(_deadline_event(listing, listing.deadline_at,
                                      event_uid(listing.source, listing.source_id), now, None,
                                      tz, listing.deadline_time_given))
    for index, lot in enumerate(listing.lots or []):
        raw = lot.get("deadline_at") if isinstance(lot, dict) else None
        try:
            deadline = datetime.fromisoformat(raw) if raw else None
        except ValueError:
            deadline = None
        if deadline is None or deadline.tzinfo is None or deadline == listing.deadline_at:
            continue
        label = str(lot.get("id") or index + 1)
        events.append(_deadline_event(listing, deadline,
                                      event_uid(listing.source, listing.source_id, label),
                                      now, label, tz, lot.get("deadline_time_given")))
    return events


def _empty_calendar() -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//aggregator//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("aggregator deadlines"))
    return calendar


def ics_calendar(listings: Iterable[ListingRecord], *, now: datetime | None = None,
                 tz: tzinfo = LOCAL_TZ) -> bytes | None:
    """An iCalendar (RFC 5545) file with one event per deadline of ``listings``; None when
    none of them has a deadline (RFC 5545 wants at least one component: an empty calendar
    is not a valid file)."""
    buffer = io.BytesIO()
    return buffer.getvalue() if write_ics(listings, buffer, now=now, tz=tz) else None


_CALENDAR_END = b"END:VCALENDAR\r\n"


class FileOnFirstWrite:
    """A binary file created by its first write, so that writing nothing leaves no file
    (a calendar with no deadline); ``file`` is None until then, and is the caller's to close."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] | None = None

    def write(self, data: bytes) -> int:
        if self.file is None:
            self.file = self.path.open("wb")
        return self.file.write(data)


def write_ics(listings: Iterable[ListingRecord], out: IO[bytes], *, now: datetime | None = None,
              tz: tzinfo = LOCAL_TZ) -> int:
    """Write the deadlines of ``listings`` as iCalendar, one event at a time (the calendar is
    never held whole); returns how many events (counted as they are built: the text may hold
    "BEGIN:VEVENT" too, in a title). With no deadline it writes nothing at all: an empty
    calendar is no valid file (RFC 5545)."""
    now = now or datetime.now(UTC)
    events = 0
    for listing in listings:
        for event in deadline_events(listing, now, tz):
            if not events:  # the calendar's head, once there is an event to follow it
                head = _empty_calendar().to_ical()
                assert head.endswith(_CALENDAR_END)
                out.write(head[:-len(_CALENDAR_END)])
            out.write(event.to_ical())
            events += 1
    if events:
        out.write(_CALENDAR_END)
    return events
