"""Build the bundled replay set (aggregator/crawling/bundled_replay) from recorded responses.

    .venv/bin/python -m tests.build_replay            # every spider
    .venv/bin/python -m tests.build_replay boamp ted  # some

Each spider is crawled once with ``--record`` and the arguments its recorded responses
answer (tests/sites/recorded.py: ``replay_for``), its requests answered by
tests.sites.responder from the recorded files, so Scrapy's HTTP cache stores them under the
sources' real URLs. The manifest pins each source's endpoints to those real URLs, so a replay
asks for what was recorded whatever ``[sources.NAME] api_url`` the configuration sets.
`aggregator crawl --replay` (and the quick start, when offline) then crawls them without any
network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from aggregator.config import PROJECT_ROOT
from aggregator.crawling.registry import spider_class, spider_names
from aggregator.crawling.replay import BUNDLED_REPLAY, MANIFEST
from tests.sites.recorded import replay_for

# The instant the bundled set shows (its manifest's recorded_as_of): the end of the day its
# newest tender responses were captured — BOAMP's newest notices of 2026-08-12 and TED's of
# the week before (tests/fixtures/tenders/PROVENANCE.md). Reading commands judge open/closed
# and days left then, and say so; the recorded dates themselves are left as they are.
RECORDED_AS_OF = "2026-08-12T23:59:59+02:00"


def build(sources: list[str], out: Path = BUNDLED_REPLAY) -> None:
    unknown = [s for s in sources if s not in spider_names()]
    if unknown:
        raise SystemExit(f"no such spider: {', '.join(unknown)}")
    from aggregator.crawling.settings import DOWNLOADER_MIDDLEWARES

    middlewares = {**DOWNLOADER_MIDDLEWARES, "tests.sites.responder.FixtureResponder": 950}
    with tempfile.TemporaryDirectory() as scratch:
        for source in sources or spider_names():
            spec = replay_for(source)
            shutil.rmtree(out / source, ignore_errors=True)
            command = [sys.executable, "-m", "aggregator.crawling.process", source,
                       "--record", str(out),
                       "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}",
                       "-s", f"DATABASE_URL=sqlite:///{scratch}/build.sqlite3"]
            for key, value in spec["args"].items():
                command += ["-a", f"{key}={value}"]
            for key, value in spec["settings"].items():
                command += ["-s", f"{key}={value}"]
            subprocess.run(command, cwd=PROJECT_ROOT, check=True)
            # The manifest keeps what a replay needs, not the builder's own settings.
            path = out / MANIFEST
            manifest = json.loads(path.read_text(encoding="utf-8"))
            endpoints = {e.setting: e.default for e in spider_class(source).endpoints()}
            manifest["sources"][source]["settings"] = {**endpoints, **spec["settings"]}
            manifest["recorded_as_of"] = RECORDED_AS_OF
            path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                            + "\n", encoding="utf-8")
            print(f"recorded {source}")


if __name__ == "__main__":
    build(sys.argv[1:])
