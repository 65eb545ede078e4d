"""Build ``geography.json.gz``, the French geography the place resolver ships with.

Sources (see README.md beside this file for versions and licences):

- communes, arrondissements municipaux, communes déléguées/associées, departments, regions,
  postal codes and populations: the npm package ``@etalab/decoupage-administratif``;
- NUTS codes of France (levels 1 to 3) and their parents: ``nuts_fr_2021.csv`` beside this file,
  extracted from the Publications Office NUTS 2021 code list (eForms SDK ``codelists/nuts.gc``).

Run it offline from a tarball made by ``npm pack``, or let it call ``npm pack`` itself::

    python -m aggregator.normalize.data.build_geography \
        --tarball etalab-decoupage-administratif-6.0.0.tgz
    python -m aggregator.normalize.data.build_geography --version 6.0.0

``--nuts-gc PATH`` re-extracts ``nuts_fr_2021.csv`` from a genericode NUTS list first.
The output is deterministic (sorted, gzip mtime 0), so rebuilding from the same inputs gives
the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM_PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_VERSION = "6.0.0"
NUTS_CSV = HERE / "nuts_fr_2021.csv"
OUTPUT = HERE / "geography.json.gz"
AREAS = "areas.json"  # written next to OUTPUT
FORMAT = 1  # bump when the layout below changes; the loader checks it

# Commune kinds of the COG kept as places of their own; délégué/associé names point to a parent.
_OWN_KINDS = {"commune-actuelle", "arrondissement-municipal"}
_CHILD_KINDS = {"commune-deleguee", "commune-associee"}


def _read_package(tarball: Path) -> tuple[dict, dict[str, list]]:
    """package.json and the data files we need, straight from the npm tarball."""
    wanted = {"communes", "departements", "regions"}
    data: dict[str, list] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        package = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
        for name in wanted:
            member = tar.extractfile(f"package/data/{name}.json")
            data[name] = json.load(member)  # type: ignore[arg-type]
    return package, data


def _npm_pack(version: str, workdir: Path) -> Path:
    subprocess.run(["npm", "pack", f"{NPM_PACKAGE}@{version}", "--silent"],
                   cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    (tarball,) = workdir.glob("*.tgz")
    return tarball


def extract_nuts_csv(gc_path: Path, out: Path = NUTS_CSV) -> int:
    """Write the French rows of a genericode NUTS list as ``code,label,parent``."""
    root = ET.parse(gc_path).getroot()
    version = root.findtext("Identification/Version") or "?"
    rows = []
    for row in root.iter("Row"):
        values = {v.get("ColumnRef"): (v.findtext("SimpleValue") or "").strip()
                  for v in row.iter("Value")}
        code = values.get("code", "")
        if code.startswith("FR"):
            label = values.get("eng_label") or values.get("Name") or ""
            rows.append((code, label, values.get("parentCode", "")))
    rows.sort()
    with out.open("w", newline="", encoding="utf-8") as fh:
        fh.write(f"# NUTS {version} (France), from {gc_path.name}; see README.md\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("code", "label", "parent"))
        writer.writerows(rows)
    return len(rows)


def _read_nuts(path: Path) -> list[tuple[str, str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    return [(r["code"], r["label"], r["parent"]) for r in reader]


def _key(name: str) -> str:
    # Only to pair NUTS-3 labels with department names ("Val-d’Oise" / "Val-d'Oise").
    text = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore")
    return text.decode().lower().replace("-", " ").strip()


def build(tarball: Path, nuts_csv: Path = NUTS_CSV) -> dict:
    package, data = _read_package(tarball)
    regions = sorted((r["code"], r["nom"]) for r in data["regions"])
    departments = sorted((d["code"], d["nom"], d["region"]) for d in data["departements"])
    dept_codes = {code for code, _, _ in departments}

    communes = []
    children = []
    former: dict[str, str] = {}
    for c in data["communes"]:
        if c["type"] in _OWN_KINDS:
            if c["departement"] not in dept_codes:
                raise SystemExit(f"commune {c['code']} in unknown department {c['departement']}")
            communes.append([
                c["code"], c["nom"], c["departement"], int(c.get("population") or 0),
                " ".join(c.get("codesPostaux", [])), c.get("commune", ""),
            ])
            for old in c.get("anciensCodes", []):
                former.setdefault(old, c["code"])
        elif c["type"] in _CHILD_KINDS:
            children.append([c["code"], c["nom"], c["chefLieu"]])
    # Most populous first: the loader's indexes then list homonyms in order without sorting.
    communes.sort(key=lambda c: (-c[3], c[0]))
    own = {c[0] for c in communes}
    names = {c[0]: c[1] for c in communes}
    # A délégué that kept its parent's code and name adds nothing.
    children = sorted(ch for ch in children
                      if ch[2] in own and not (ch[0] == ch[2] and ch[1] == names[ch[2]]))
    former = {old: new for old, new in sorted(former.items()) if old not in own}

    nuts = _read_nuts(nuts_csv)
    by_name = {_key(name): code for code, name, _ in departments}
    nuts_department = {}
    for code, label, _ in nuts:
        if len(code) == 5 and not code.endswith("ZZZ"):
            dept = by_name.get(_key(label))
            if dept is None:
                raise SystemExit(f"NUTS-3 {code} {label!r} matches no department")
            nuts_department[code] = dept
    overseas_collectivities = {"975", "977", "978", "984", "986", "987", "988", "989"}
    missing = dept_codes - set(nuts_department.values()) - overseas_collectivities
    if missing:
        raise SystemExit(f"departments without a NUTS-3 code: {sorted(missing)}")

    return {
        "format": FORMAT,
        "sources": {
            "communes": f"{NPM_PACKAGE}@{package['version']} (npm, MIT code, Licence Ouverte data)",
            "nuts": f"{nuts_csv.name}: "
                    + nuts_csv.read_text(encoding="utf-8").splitlines()[0].lstrip("# "),
        },
        "regions": regions,
        "departments": departments,
        # [insee, name, department, population, "postal codes", parent commune (arrondissements)],
        # most populous first
        "communes": communes,
        # [insee, name, current commune]: communes déléguées / associées, former names
        "children": children,
        # former INSEE code -> current code
        "former_codes": former,
        # [code, label, parent] for FR, FR1..FRZ, FR10..FRZZ, FR101..FRZZZ
        "nuts": [list(row) for row in nuts],
        "nuts_department": dict(sorted(nuts_department.items())),
    }


def write(geo: dict, out: Path = OUTPUT) -> int:
    payload = json.dumps(geo, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    out.write_bytes(buffer.getvalue())
    # The regions and departments alone, for naming them without loading the communes
    # (geography.areas(): what `aggregator show` and the listing tables need).
    areas = {key: geo[key] for key in ("format", "regions", "departments")}
    out.with_name(AREAS).write_text(
        json.dumps(areas, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tarball", type=Path, help="a tarball made by `npm pack`")
    source.add_argument("--version", default=DEFAULT_VERSION,
                        help=f"npm version to fetch with `npm pack` (default {DEFAULT_VERSION})")
    parser.add_argument("--nuts-gc", type=Path,
                        help="re-extract nuts_fr_2021.csv from this genericode NUTS list first")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    if args.nuts_gc:
        count = extract_nuts_csv(args.nuts_gc)
        print(f"wrote {NUTS_CSV.name}: {count} French NUTS codes")
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _npm_pack(args.version, Path(tmp))
        geo = build(tarball)
        size = write(geo, args.output)
    print(f"wrote {args.output.name}: {len(geo['communes'])} communes, "
          f"{len(geo['children'])} delegated/associated names, {len(geo['departments'])} "
          f"departments, {len(geo['regions'])} regions, {len(geo['nuts'])} NUTS codes; "
          f"{size:,} bytes; sources: {geo['sources']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
