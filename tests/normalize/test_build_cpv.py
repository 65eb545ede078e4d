"""The builder of cpv.json.gz, run on translation files laid out like the eForms SDK's."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from aggregator.normalize import cpv
from aggregator.normalize.data import build_cpv as builder

# Keys of the SDK's files that mention CPV but are no CPV code, with their real labels.
DECOYS = {
    "fr": {"code|name|classification-type.cpv": "Vocabulaire commun pour les marchés publics",
           "code|name|corporate-body.CPVO": "Office communautaire des variétés végétales",
           "code|name|country.CPV": "Cabo Verde"},
    "en": {"code|name|classification-type.cpv": "Common procurement vocabulary",
           "code|name|corporate-body.CPVO": "Community Plant Variety Office",
           "code|name|country.CPV": "Cabo Verde"},
}


def translations(path: Path, lang: str, codes: list[str]) -> Path:
    """A translation file in the SDK's layout (Java properties XML) with these codes."""
    entries = dict(DECOYS[lang]) | {
        f"code|name|cpv.{c.code}": c.label(lang) for c in map(cpv.lookup, codes)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">',
             "<properties>", f"<comment>code in {lang}.</comment>"]
    lines += [f"<entry key={quoteattr(k)}>{escape(v)}</entry>" for k, v in entries.items()]
    path.write_text("\n".join([*lines, "</properties>"]), encoding="utf-8")
    return path


CODES = ["45000000", "45300000", "45310000", "45311000", "09310000"]


def test_build_keeps_only_cpv_codes_with_both_labels(tmp_path):
    data = builder.build(translations(tmp_path / "code_fr.xml", "fr", CODES),
                         translations(tmp_path / "code_en.xml", "en", CODES))
    assert data["format"] == cpv.FORMAT
    assert [row[0] for row in data["codes"]] == sorted(CODES)  # no CPVO, no Cabo Verde
    assert all(row == [row[0], cpv.label(row[0]), cpv.label(row[0], "en")]
               for row in data["codes"])
    assert "eForms SDK" in data["source"] and "8463687f580a" in data["source"]
    assert data["files"]["fr"].startswith("code_fr.xml sha256 ")


def test_written_file_is_deterministic_and_loads(tmp_path):
    fr = translations(tmp_path / "code_fr.xml", "fr", CODES)
    en = translations(tmp_path / "code_en.xml", "en", CODES)
    assert builder.main(["--fr", str(fr), "--en", str(en), "--output",
                         str(tmp_path / "a.json.gz")]) == 0
    builder.write(builder.build(fr, en), tmp_path / "b.json.gz")
    first = (tmp_path / "a.json.gz").read_bytes()
    assert first == (tmp_path / "b.json.gz").read_bytes()
    assert json.loads(gzip.decompress(first))["codes"][0][0] == "09310000"


def test_build_refuses_files_that_disagree_or_hold_no_cpv(tmp_path):
    fr = translations(tmp_path / "code_fr.xml", "fr", CODES)
    en = translations(tmp_path / "code_en.xml", "en", CODES[:-1])
    with pytest.raises(SystemExit, match=r"different codes.*09310000"):
        builder.build(fr, en)
    empty = translations(tmp_path / "empty.xml", "fr", [])
    with pytest.raises(SystemExit, match=r"no code\|name\|cpv"):
        builder.build(empty, empty)
    blank = tmp_path / "blank.xml"
    blank.write_text(fr.read_text(encoding="utf-8").replace(
        f">{escape(cpv.label('45310000'))}<", "><"), encoding="utf-8")
    with pytest.raises(SystemExit, match="CPV 45310000 has no label"):
        builder.build(blank, en)
