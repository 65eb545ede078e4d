"""Whole-process time of the reading commands, next to `python -c pass` and the `sqlite3`
command line answering the same question, all in the same run.

    python benchmarks/cli.py [--size 100000] [--db PATH] [--reuse] [--runs 7]

Builds (or reuses) the store of benchmarks/search.py, then runs each command ``--runs``
times in a fresh process and prints the median and the best wall time. Target (issue 16):
`search`, `list`, `show` and `--help` start in ≤ 300 ms whole process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import build_store

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
_OPEN = ("duplicate_of IS NULL AND status = 'open' AND (deadline_at IS NULL OR "
         "deadline_at > datetime('now')) AND hidden = 0")
_COLUMNS = "id, kind, title, organization, city, department, deadline_at, source"


def commands(db: str) -> list[tuple[str, list[str]]]:
    """(what, argv): the project's commands, then the baselines."""
    sqlite3 = shutil.which("sqlite3")
    rows = [
        ("aggregator --help", [AGGREGATOR, "--help"]),
        ("aggregator list", [AGGREGATOR, "list"]),
        ("aggregator search électricité", [AGGREGATOR, "search", "électricité"]),
        ("aggregator search dep:13 kind:tender", [AGGREGATOR, "search", "dep:13",
                                                  "kind:tender"]),
        ("aggregator show 1", [AGGREGATOR, "show", "1"]),
        ("baseline: python -c pass", [sys.executable, "-c", "pass"]),
    ]
    if sqlite3:
        rows += [
            ("baseline: sqlite3 list", [sqlite3, db, f"SELECT {_COLUMNS} FROM listings "
                                        f"WHERE {_OPEN} ORDER BY deadline_at IS NULL, "
                                        "deadline_at, published_at DESC, id LIMIT 50"]),
            ("baseline: sqlite3 search électricité", [
                sqlite3, db, f"SELECT {_COLUMNS} FROM listings WHERE {_OPEN} AND id IN "
                "(SELECT rowid FROM listings_fts WHERE listings_fts MATCH 'electricite') "
                "ORDER BY deadline_at IS NULL, deadline_at, published_at DESC, id LIMIT 50"]),
        ]
    return rows


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing store file")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/aggregator-bench-search-{args.size}.sqlite3")
    url = f"sqlite:///{path}"
    if not (args.reuse and path.exists()):
        for suffix in ("", "-wal", "-shm", ".migrate.lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"building a store of {args.size:,} listings in {path} ...", flush=True)
        build_store(url, args.size, datetime.now(UTC).replace(microsecond=0))
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=url, COLUMNS="140")
    rows = commands(str(path))
    for _, argv in rows:  # warm the page cache and the schema check once
        timed(argv, env)
    samples: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(args.runs):  # interleaved, so that load on the machine hits all alike
        for name, argv in rows:
            samples[name].append(timed(argv, env))
    print(f"store: {path} ({args.size:,} listings); {args.runs} runs each, whole process, ms\n")
    print(f"{'command':<40} {'median':>8} {'best':>8}")
    for name, values in samples.items():
        median = statistics.median(values)
        flag = "  <-- over 300 ms" if not name.startswith("baseline") and median > 300 else ""
        print(f"{name:<40} {median:>8.0f} {min(values):>8.0f}{flag}")


if __name__ == "__main__":
    main()
