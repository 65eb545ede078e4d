"""The builder of geography.json.gz, run offline on a small npm-style tarball."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from aggregator.normalize.data import build_geography as builder
from aggregator.normalize.geography import geography

COMMUNES = [
    {"code": "13055", "nom": "Marseille", "departement": "13", "region": "93",
     "type": "commune-actuelle", "codesPostaux": ["13001", "13002"], "population": 886040},
    {"code": "13201", "nom": "Marseille 1er Arrondissement", "departement": "13",
     "region": "93", "type": "arrondissement-municipal", "commune": "13055",
     "codesPostaux": ["13001"], "population": 37599},
    {"code": "2A004", "nom": "Ajaccio", "departement": "2A", "region": "94",
     "type": "commune-actuelle", "codesPostaux": ["20000"], "population": 76320,
     "anciensCodes": ["20004"]},
    {"code": "50129", "nom": "Cherbourg-en-Cotentin", "departement": "50", "region": "28",
     "type": "commune-actuelle", "codesPostaux": ["50100"], "population": 78000},
    {"code": "50173", "nom": "Cherbourg-Octeville", "departement": "50", "region": "28",
     "type": "commune-deleguee", "chefLieu": "50129"},
    {"code": "50129", "nom": "Cherbourg-en-Cotentin", "departement": "50", "region": "28",
     "type": "commune-deleguee", "chefLieu": "50129"},  # same code and name: adds nothing
]


def make_tarball(path: Path, communes: list[dict], departments: list[dict] | None = None,
                 version: str = "9.9.9") -> Path:
    geo = geography()
    regions = [{"code": r.code, "nom": r.name} for r in geo.regions.values()]
    if departments is None:
        departments = [{"code": d.code, "nom": d.name, "region": d.region}
                       for d in geo.departments.values()]
    files = {"package/package.json": {"name": builder.NPM_PACKAGE, "version": version},
             "package/data/communes.json": communes,
             "package/data/departements.json": departments,
             "package/data/regions.json": regions}
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_build_writes_the_compact_layout(tmp_path):
    geo = builder.build(make_tarball(tmp_path / "pkg.tgz", COMMUNES))
    assert geo["format"] == builder.FORMAT
    assert "@etalab/decoupage-administratif@9.9.9" in geo["sources"]["communes"]
    assert "NUTS 2021" in geo["sources"]["nuts"]
    assert geo["communes"][0] == ["13055", "Marseille", "13", 886040, "13001 13002", ""]
    assert ["13201", "Marseille 1er Arrondissement", "13", 37599, "13001", "13055"] \
        in geo["communes"]
    assert [c[3] for c in geo["communes"]] == sorted((c[3] for c in geo["communes"]),
                                                     reverse=True)
    assert geo["children"] == [["50173", "Cherbourg-Octeville", "50129"]]
    assert geo["former_codes"] == {"20004": "2A004"}
    assert geo["nuts_department"]["FRL05"] == "83"
    assert len(geo["nuts_department"]) == 101


def test_the_output_is_deterministic(tmp_path):
    tarball = make_tarball(tmp_path / "pkg.tgz", COMMUNES)
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    builder.write(builder.build(tarball), first)
    builder.write(builder.build(tarball), second)
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(gzip.decompress(first.read_bytes()))["former_codes"] == {"20004": "2A004"}


def test_a_department_without_a_nuts_code_stops_the_build(tmp_path):
    geo = geography()
    departments = [{"code": d.code, "nom": d.name, "region": d.region}
                   for d in geo.departments.values() if d.code != "83"]
    departments.append({"code": "83", "nom": "Var du Sud", "region": "93"})  # no NUTS label
    with pytest.raises(SystemExit, match="FRL05"):
        builder.build(make_tarball(tmp_path / "pkg.tgz", COMMUNES, departments))


def test_nuts_rows_are_extracted_from_a_genericode_list(tmp_path):
    gc = tmp_path / "nuts.gc"
    gc.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
  <Identification><Version>2021</Version></Identification>
  <SimpleCodeList>
    <Row><Value ColumnRef="code"><SimpleValue>FRL05</SimpleValue></Value>
         <Value ColumnRef="Name"><SimpleValue>Var</SimpleValue></Value>
         <Value ColumnRef="parentCode"><SimpleValue>FRL0</SimpleValue></Value></Row>
    <Row><Value ColumnRef="code"><SimpleValue>BE100</SimpleValue></Value>
         <Value ColumnRef="Name"><SimpleValue>Bruxelles</SimpleValue></Value></Row>
  </SimpleCodeList>
</gc:CodeList>""", encoding="utf-8")
    out = tmp_path / "nuts.csv"
    assert builder.extract_nuts_csv(gc, out) == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# NUTS 2021 (France), from nuts.gc")
    assert lines[1:] == ["code,label,parent", "FRL05,Var,FRL0"]


def test_the_shipped_file_matches_the_committed_nuts_table():
    rows = builder._read_nuts(builder.NUTS_CSV)
    assert {code for code, _, _ in rows} == set(geography().nuts)
