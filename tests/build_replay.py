"""Build the bundled replay set (aggregator/crawling/bundled_replay) from recorded responses.

    .venv/bin/python -m tests.build_replay            # every source with a REPLAY entry
    .venv/bin/python -m tests.build_replay boamp ted  # some sources

Each ``tests/sites/<source>.py`` that defines ``REPLAY = {"args": {...}}`` is crawled once
with ``--record``, its requests answered by tests.sites.responder from the recorded files,
so Scrapy's HTTP cache stores them under the sources' real URLs. `aggregator crawl --replay`
(and the quick start, when offline) then crawls them without any network.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tests.sites
from aggregator.config import PROJECT_ROOT
from aggregator.crawling.replay import BUNDLED_REPLAY, MANIFEST


def replay_sources() -> dict[str, dict]:
    found = {}
    for module in pkgutil.iter_modules(tests.sites.__path__):
        loaded = importlib.import_module(f"tests.sites.{module.name}")
        if hasattr(loaded, "REPLAY"):
            found[module.name] = loaded.REPLAY
    return found


def build(sources: list[str], out: Path = BUNDLED_REPLAY) -> None:
    available = replay_sources()
    unknown = [s for s in sources if s not in available]
    if unknown:
        raise SystemExit(f"no REPLAY entry in tests/sites for: {', '.join(unknown)}")
    from aggregator.crawling.settings import DOWNLOADER_MIDDLEWARES

    middlewares = {**DOWNLOADER_MIDDLEWARES, "tests.sites.responder.FixtureResponder": 950}
    with tempfile.TemporaryDirectory() as scratch:
        for source in sources or sorted(available):
            spec = available[source]
            shutil.rmtree(out / source, ignore_errors=True)
            command = [sys.executable, "-m", "aggregator.crawling.process", source,
                       "--record", str(out),
                       "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}",
                       "-s", f"FIXTURE_SITE=tests.sites.{source}:site",
                       "-s", f"DATABASE_URL=sqlite:///{scratch}/build.sqlite3"]
            for key, value in spec.get("args", {}).items():
                command += ["-a", f"{key}={value}"]
            for key, value in spec.get("settings", {}).items():
                command += ["-s", f"{key}={value}"]
            subprocess.run(command, cwd=PROJECT_ROOT, check=True)
            # The manifest keeps what a replay needs, not the builder's own settings.
            path = out / MANIFEST
            manifest = json.loads(path.read_text(encoding="utf-8"))
            manifest["sources"][source]["settings"] = spec.get("settings", {})
            path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                            + "\n", encoding="utf-8")
            print(f"recorded {source}")


if __name__ == "__main__":
    build(sys.argv[1:])
