"""The reference in docs/ keeps up with the code: every field a listing's JSON carries and
every key of the query language is documented."""

from __future__ import annotations

from pathlib import Path

from aggregator.export import CSV_FIELDS
from aggregator.query.keys import TABLE

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_json_field_is_documented() -> None:
    text = (DOCS / "listing-fields.md").read_text(encoding="utf-8")
    missing = [name for name in CSV_FIELDS if f"`{name}`" not in text]
    assert not missing, f"docs/listing-fields.md lacks {missing}"


def test_every_query_key_is_documented() -> None:
    text = (DOCS / "query-language.md").read_text(encoding="utf-8")
    missing = [key.name for key in TABLE if f"`{key.name}" not in text]
    missing += [alias for key in TABLE for alias in key.aliases if f"`{alias}`" not in text]
    assert not missing, f"docs/query-language.md lacks {missing}"
