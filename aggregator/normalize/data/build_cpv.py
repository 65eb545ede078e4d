"""Build ``cpv.json.gz``, the CPV 2008 nomenclature with its French and English labels.

Source (see README.md beside this file for the version and licence): the eForms SDK of the
EU Publications Office, whose translation files hold the label of every code of every eForms
code list, CPV included, one ``<entry key="code|name|cpv.45310000">…</entry>`` per code::

    https://github.com/OP-TED/eForms-SDK/blob/8463687f580a4a202db95063fd6bbc2eed3975c6/translations/code_fr.xml
    https://github.com/OP-TED/eForms-SDK/blob/8463687f580a4a202db95063fd6bbc2eed3975c6/translations/code_en.xml

Run it offline on those two files::

    python -m aggregator.normalize.data.build_cpv --fr code_fr.xml --en code_en.xml

Only keys starting exactly with ``code|name|cpv.`` are CPV codes: the same files also hold
``classification-type.cpv``, ``corporate-body.CPVO`` and ``country.CPV`` (Cabo Verde). The
build fails unless both files name the same codes, each with a non-empty label. The output is
deterministic (sorted, gzip mtime 0): the same inputs give the same bytes. The hierarchy is
not stored: it follows from the codes (``aggregator/normalize/cpv.py``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "cpv.json.gz"
FORMAT = 1  # bump when the layout below changes; the loader checks it
KEY_PREFIX = "code|name|cpv."
SOURCE = ("OP-TED/eForms-SDK translations/code_{fr,en}.xml, commit "
          "8463687f580a4a202db95063fd6bbc2eed3975c6 (SDK 1.15.0, 1.15.1); CPV 2008 "
          "(Regulation (EC) No 213/2008); CC BY 4.0, Commission Decision 2011/833/EU; "
          "Source: Publications Office of the European Union, eForms SDK")
_CODE = re.compile(r"\d{8}")


def read_labels(path: Path) -> dict[str, str]:
    """CPV code → label from one eForms SDK translation file (Java properties XML)."""
    labels: dict[str, str] = {}
    for entry in ET.parse(path).getroot().iter("entry"):
        key = entry.get("key") or ""
        if not key.startswith(KEY_PREFIX):
            continue
        code = key[len(KEY_PREFIX):]
        label = " ".join((entry.text or "").split())
        if not _CODE.fullmatch(code):
            raise SystemExit(f"{path.name}: {key!r} is not an 8-digit CPV code")
        if not label:
            raise SystemExit(f"{path.name}: CPV {code} has no label")
        if code in labels:
            raise SystemExit(f"{path.name}: CPV {code} appears twice")
        labels[code] = label
    if not labels:
        raise SystemExit(f"{path.name}: no {KEY_PREFIX}* entry")
    return labels


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(fr_path: Path, en_path: Path) -> dict:
    fr, en = read_labels(fr_path), read_labels(en_path)
    if fr.keys() != en.keys():
        only = sorted(fr.keys() ^ en.keys())
        raise SystemExit(f"the French and English files name different codes: {only[:10]}")
    return {
        "format": FORMAT,
        "source": SOURCE,
        "files": {"fr": f"{fr_path.name} sha256 {_digest(fr_path)}",
                  "en": f"{en_path.name} sha256 {_digest(en_path)}"},
        # [code, French label, English label], by code
        "codes": [[code, fr[code], en[code]] for code in sorted(fr)],
    }


def write(data: dict, out: Path = OUTPUT) -> int:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    out.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fr", type=Path, required=True,
                        help="the eForms SDK's translations/code_fr.xml")
    parser.add_argument("--en", type=Path, required=True,
                        help="the eForms SDK's translations/code_en.xml")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    data = build(args.fr, args.en)
    size = write(data, args.output)
    divisions = sum(1 for code, _, _ in data["codes"] if code.endswith("000000"))
    print(f"wrote {args.output.name}: {len(data['codes'])} CPV codes "
          f"({divisions} divisions), French and English labels; {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
