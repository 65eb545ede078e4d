"""Export throughput and memory, next to the `sqlite3` command line writing the same
columns of the same rows as CSV, in the same run.

    python benchmarks/export.py [--size 100000] [--db PATH] [--reuse] [--url URL]
                                [--formats csv,json,ics] [--runs N]
                                [--build-only] [--before DIR [--before-db PATH]]

Builds (or reuses) the store of benchmarks/search.py, then runs, each in a fresh process,
`aggregator export status:all` in each of ``--formats`` (CSV, JSON lines, iCalendar), and
`sqlite3 -csv` writing the same stored columns of the same rows that the CSV and JSON
exports read (every listing shown once per duplicate group), printing wall time, CPU seconds
(user + system of the child), rows per second and peak RSS (medians of ``--runs``), then
each export's time over the baseline's and the load average. ``--url`` exports from another
store (PostgreSQL) too. Targets (issue 16): ≤ 200 MB RSS at 1,000,000 rows, CSV within 2×
of `sqlite3 -csv`. ``--before DIR``: also times the exports of another source tree (an older
commit's ``git archive``) on the SQLite store, in the same run; on ``--before-db`` when
its schema is older (a copy of the store at that tree's revision).
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


def run(argv: list[str], env: dict[str, str], out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of ``argv`` writing to ``out``."""
    started = time.perf_counter()
    with out.open("wb") as stream:
        child = subprocess.Popen(argv, env=env, stdout=stream, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing store file")
    parser.add_argument("--url", help="also export from this store (e.g. PostgreSQL)")
    parser.add_argument("--formats", default="csv,json,ics",
                        help="comma-separated export formats to time (csv, json, ics)")
    parser.add_argument("--runs", type=int, default=1,
                        help="run each command this many times and print the medians")
    parser.add_argument("--build-only", action="store_true",
                        help="build the store and stop (to time exports later with --reuse)")
    parser.add_argument("--before", type=Path, default=None,
                        help="a source tree to time too (git archive of an older commit)")
    parser.add_argument("--before-db", type=Path, default=None,
                        help="the store the --before tree reads (default: the same)")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"csv", "json", "ics"})
    if unknown:
        parser.error(f"unknown format(s): {', '.join(unknown)} (csv, json, ics)")
    path = args.db or Path(f"/tmp/aggregator-bench-search-{args.size}.sqlite3")
    url = f"sqlite:///{path}"
    if not (args.reuse and path.exists()):
        for suffix in ("", "-wal", "-shm", ".migrate.lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"building a store of {args.size:,} listings in {path} ...", flush=True)
        build_store(url, args.size, datetime.now(UTC).replace(microsecond=0))
    if args.build_only:
        return
    from aggregator.export import CSV_COLUMNS

    out = Path(f"/tmp/aggregator-bench-export-{os.getpid()}")
    runs: list[tuple[str, list[str], str, dict[str, str]]] = []
    for name, store in (("sqlite", url), *((("other", args.url),) if args.url else ())):
        for fmt in formats:
            runs.append((f"aggregator export -f {fmt} ({name})",
                         [AGGREGATOR, "export", "status:all", "-f", fmt], store, {}))
    if args.before is not None:  # the same entry point, imported from the other tree
        entry = "import sys; sys.argv[0] = 'aggregator'; from aggregator.cli import main; main()"
        # -P: the current directory (maybe this tree) must not come before PYTHONPATH
        runs += [(f"before: export -f {fmt} (sqlite)",
                  [sys.executable, "-P", "-c", entry, "export", "status:all", "-f", fmt],
                  f"sqlite:///{args.before_db}" if args.before_db else url,
                  {"PYTHONPATH": str(args.before)}) for fmt in formats]
    sqlite3 = shutil.which("sqlite3")
    if sqlite3:
        # the stored columns the CSV and JSON exports read (their extra CSV cells are
        # computed from these), so that both sides fetch and write the same data
        query = (f"SELECT {', '.join(c.name for c in CSV_COLUMNS)} FROM listings "
                 "WHERE duplicate_of IS NULL "
                 "ORDER BY deadline_at IS NULL, deadline_at, published_at DESC, id")
        runs.append(("baseline: sqlite3 -csv", [sqlite3, "-csv", "-header", str(path), query],
                     url, {}))
    each = "one run each" if args.runs == 1 else f"medians of {args.runs} runs"
    print(f"store: {path} ({args.size:,} listings); {each}, whole process\n")
    print(f"{'command':<36} {'rows':>9} {'wall s':>8} {'CPU s':>7} {'rows/s':>9} "
          f"{'peak RSS MiB':>13}")
    figures: dict[str, tuple[float, float]] = {}
    for name, argv, store, extra in runs:
        env = dict(os.environ, AGGREGATOR_DATABASE_URL=store, **extra)
        timings = sorted(run(argv, env, out) for _ in range(args.runs))
        elapsed = statistics.median(t[0] for t in timings)
        cpu = statistics.median(t[1] for t in timings)
        rss = max(t[2] for t in timings)
        with out.open("rb") as written:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: written.read(1 << 20), b""))
        figures[name] = elapsed, cpu
        print(f"{name:<36} {lines:>9,} {elapsed:>8.2f} {cpu:>7.2f} {lines / elapsed:>9,.0f} "
              f"{rss:>13.0f}", flush=True)
    out.unlink(missing_ok=True)
    baseline = figures.get("baseline: sqlite3 -csv")
    if baseline:
        print()
        for name, (elapsed, cpu) in figures.items():
            if not name.startswith("baseline"):
                print(f"{name} / sqlite3 -csv: {elapsed / baseline[0]:.2f}x wall, "
                      f"{cpu / baseline[1]:.2f}x CPU"
                      + (" (target ≤ 2x)" if "-f csv" in name else ""))
    print(f"\nload average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
