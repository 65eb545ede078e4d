"""Whole-process time of the reading commands, next to `python -c pass` and the `sqlite3`
command line answering the same question, all in the same run.

    python benchmarks/cli.py [--size 100000] [--db PATH] [--reuse] [--runs 7] [--before DIR
                             [--before-db PATH]]

Builds (or reuses) the store of benchmarks/search.py, then runs each command ``--runs``
times in a fresh process and prints the median and the best wall time, the median CPU time
(user + system of the process: less sensitive to other load on the machine than wall time),
and each median as a multiple of `python -c pass`'s. ``--before DIR``: also runs the
commands of another source tree (an older commit's ``git archive``), in the same run, on
``--before-db`` when its schema is older (a copy of the store at that tree's revision).
Target (issue 16): `search`, `list`, `show` and `--help` start in ≤ 300 ms whole process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import build_store

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
_OPEN = ("duplicate_of IS NULL AND status = 'open' AND (deadline_at IS NULL OR "
         "deadline_at > datetime('now')) AND hidden = 0")
_COLUMNS = "id, kind, title, organization, city, department, deadline_at, source"


COMMANDS = [["--help"], ["list"], ["search", "électricité"], ["search", "dep:13", "kind:tender"],
            ["show", "1"]]
# what a user's aggregator.toml holds: the store, mail, a source's settings
CONFIG = """[database]
url = "{url}"
[smtp]
host = "smtp.example.org"
port = 587
security = "starttls"
from = "veille@example.org"
[sources.boamp]
first_crawl_days = 15
"""


def commands(db: str, config: Path, before: Path | None = None, before_db: str | None = None,
             ) -> list[tuple[str, list[str], dict]]:
    """(what, argv, extra environment): the project's commands (``list`` also with the
    ``config`` file), then the baselines."""
    sqlite3 = shutil.which("sqlite3")
    rows: list[tuple[str, list[str], dict]] = [
        (f"aggregator {' '.join(words)}", [AGGREGATOR, *words], {}) for words in COMMANDS]
    rows.append(("aggregator list, with aggregator.toml", [AGGREGATOR, "list"],
                 {"AGGREGATOR_CONFIG": str(config)}))
    if before is not None:  # the same entry point, imported from the other tree
        entry = "import sys; sys.argv[0] = 'aggregator'; from aggregator.cli import main; main()"
        # -P: the current directory (maybe this tree) must not come before PYTHONPATH
        rows += [(f"before: {' '.join(words)}", [sys.executable, "-P", "-c", entry, *words],
                  {"PYTHONPATH": str(before)}
                  | ({"AGGREGATOR_DATABASE_URL": f"sqlite:///{before_db}"} if before_db else {}))
                 for words in COMMANDS]
    rows.append(("baseline: python -c pass", [sys.executable, "-c", "pass"], {}))
    if sqlite3:
        rows += [
            ("baseline: sqlite3 list", [sqlite3, db, f"SELECT {_COLUMNS} FROM listings "
                                        f"WHERE {_OPEN} ORDER BY deadline_at IS NULL, "
                                        "deadline_at, published_at DESC, id LIMIT 50"], {}),
            ("baseline: sqlite3 search électricité", [
                sqlite3, db, f"SELECT {_COLUMNS} FROM listings WHERE {_OPEN} AND id IN "
                "(SELECT rowid FROM listings_fts WHERE listings_fts MATCH 'electricite') "
                "ORDER BY deadline_at IS NULL, deadline_at, published_at DESC, id LIMIT 50"], {}),
        ]
    return rows


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one run of ``argv``."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime) * 1000
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing store file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before-db", type=Path, default=None,
                        help="the store the --before tree reads (default: the same)")
    parser.add_argument("--before", type=Path, default=None,
                        help="a source tree to time too (git archive of an older commit)")
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/aggregator-bench-search-{args.size}.sqlite3")
    url = f"sqlite:///{path}"
    if not (args.reuse and path.exists()):
        for suffix in ("", "-wal", "-shm", ".migrate.lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"building a store of {args.size:,} listings in {path} ...", flush=True)
        build_store(url, args.size, datetime.now(UTC).replace(microsecond=0))
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=url, COLUMNS="140")
    # as installed: the project's bytecode written once (PYTHONDONTWRITEBYTECODE, set in some
    # shells, would have every run compile the project again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("AGGREGATOR_CONFIG", None)
    work = Path(tempfile.mkdtemp(prefix="aggregator-bench-cli-"))
    config = work / "aggregator.toml"
    config.write_text(CONFIG.format(url=url), encoding="utf-8")
    env |= {"XDG_CACHE_HOME": str(work / "cache"), "XDG_CONFIG_HOME": str(work / "config")}
    rows = commands(str(path), config, args.before, args.before_db and str(args.before_db))
    for _, argv, extra in rows:  # warm the page cache, bytecode and the file's check once
        timed(argv, env | extra)
    walls: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    for _ in range(args.runs):  # interleaved, so that load on the machine hits all alike
        for name, argv, extra in rows:
            wall, cpu = timed(argv, env | extra)
            walls[name].append(wall)
            cpus[name].append(cpu)
    print(f"store: {path} ({args.size:,} listings); {args.runs} runs each, whole process, ms; "
          "x: median as a multiple of python -c pass's\n")
    print(f"{'command':<40} {'wall':>7} {'best':>7} {'x':>6} {'cpu':>7} {'x':>6}")
    bare_wall = statistics.median(walls["baseline: python -c pass"])
    bare_cpu = statistics.median(cpus["baseline: python -c pass"]) or 1.0
    for name in walls:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        flag = "  <-- over 300 ms" if not name.startswith("baseline") and wall > 300 else ""
        print(f"{name:<40} {wall:>7.0f} {min(walls[name]):>7.0f} {wall / bare_wall:>6.1f} "
              f"{cpu:>7.0f} {cpu / bare_cpu:>6.1f}{flag}")


if __name__ == "__main__":
    main()
