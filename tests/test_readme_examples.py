"""Every README example that reads listings finds at least one after an offline `make run`.

The store is built as `make run` builds it with no network (`aggregator crawl
--fallback-replay`, the probe host unreachable): the bundled replay set, read as of its
recording. The examples are taken from the README itself — the `aggregator search / list /
show / export` command lines of its code blocks, the `search …` spans of its prose, and the
query of `alerts add` — so an example that stops matching the bundled data fails here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.config import PROJECT_ROOT

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
README = PROJECT_ROOT / "README.md"
READING = ("search", "list", "show", "export")
pytestmark = pytest.mark.slow

_BLOCK = re.compile(r"```(?:sh|console)\n(.*?)```", re.S)
_SPAN = re.compile(r"`((?:aggregator )?search [^`]+)`")


def _command_lines(block: str) -> list[str]:
    """The block's commands: continuations joined, prompts and comments left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    lines = []
    for line in joined.splitlines():
        line = re.sub(r"^\$ ", "", line.strip())
        line = re.split(r"\s{2,}#|\s#\s", line)[0].strip()
        if line.startswith((".venv/bin/aggregator ", "aggregator ")):
            lines.append(line.split(" ", 1)[1])
        elif line.startswith("search "):
            lines.append(line)
    return lines


def readme_examples() -> list[list[str]]:
    """Each example that reads listings, as arguments to `aggregator`."""
    text = README.read_text(encoding="utf-8")
    lines = [line for block in _BLOCK.findall(text) for line in _command_lines(block)]
    lines += [span.removeprefix("aggregator ") for span in _SPAN.findall(text)]
    examples = []
    for line in dict.fromkeys(lines):
        words = shlex.split(line.split(" > ")[0])
        if words[:2] == ["alerts", "add"]:  # its query is a search
            words = ["search", words[3]]
        if words[0] in READING:
            examples.append(words)
    return examples


@pytest.fixture(scope="module")
def quick_start_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The store an offline `make run` leaves: the environment to read it with."""
    directory = tmp_path_factory.mktemp("quick_start")
    config = directory / "aggregator.toml"
    config.write_text("", encoding="utf-8")  # the defaults, as on a fresh clone
    env = os.environ | {"AGGREGATOR_DATABASE_URL": f"sqlite:///{directory}/store.sqlite3",
                        "AGGREGATOR_CONFIG": str(config), "AGGREGATOR_LANGUAGE": "en",
                        "AGGREGATOR_PROBE_HOSTS": "probe.invalid", "COLUMNS": "200"}
    crawled = subprocess.run([AGGREGATOR, "crawl", "--fallback-replay"], cwd=PROJECT_ROOT,
                             env=env, capture_output=True, text=True, timeout=300)
    assert "No network: replaying the bundled recorded responses" in crawled.stdout, (
        crawled.stdout + crawled.stderr)
    return env | {"OUTPUT_DIR": str(directory)}


def test_the_readme_has_the_examples_this_test_reads():
    commands = {words[0] for words in readme_examples()}
    assert commands == set(READING), commands
    assert len(readme_examples()) >= 12


def _invoke(words: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """What `aggregator WORDS` prints on stdout, reading the quick-start store."""
    from typer.testing import CliRunner

    from aggregator.cli import _register, app
    from aggregator.presentation import read_as_of

    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", env["AGGREGATOR_DATABASE_URL"])
    _register()
    try:
        result = CliRunner().invoke(app, words)
    finally:
        read_as_of(None)  # the reading instant is the process's
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _results(words: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many listings (or calendar events) the example gives."""
    words = list(words)
    out = Path(env["OUTPUT_DIR"]) / "export.out"
    if "-o" in words:
        words[words.index("-o") + 1] = str(out)
    elif words[0] in ("search", "list") and "--json" not in words and "--csv" not in words:
        words.append("--json")
    printed = _invoke(words, env, monkeypatch)
    output = out.read_text(encoding="utf-8-sig") if "-o" in words else printed
    if words[0] == "show":
        return int(bool(output.strip()))
    if "ics" in words:
        return output.count("BEGIN:VEVENT")
    if "csv" in words or "--excel" in words:
        return len(output.splitlines()) - 1  # the header row
    return sum(1 for line in output.splitlines() if line.startswith("{") and json.loads(line))


@pytest.mark.parametrize("words", readme_examples(), ids=" ".join)
def test_every_readme_example_finds_listings(words, quick_start_store, monkeypatch):
    assert _results(words, quick_start_store, monkeypatch) >= 1


def test_the_first_screen_says_these_are_recorded_listings_and_when(quick_start_store):
    listed = subprocess.run([AGGREGATOR, "list", "--limit", "20"], cwd=PROJECT_ROOT,
                            env=quick_start_store, capture_output=True, text=True,
                            timeout=120)
    first = listed.stdout.splitlines()[0]
    assert first.startswith("Recorded listings"), first
    assert "as of Wednesday, 12 August 2026" in first, first
    tenders = subprocess.run([AGGREGATOR, "search", "--kind", "tender", "--json"],
                             cwd=PROJECT_ROOT, env=quick_start_store, capture_output=True,
                             text=True, timeout=120)
    sources = {json.loads(line)["source"] for line in tenders.stdout.splitlines()}
    assert {"boamp", "ted"} <= sources


def test_one_query_however_the_shell_splits_it(quick_start_store, monkeypatch):
    """§ Searching, on the recorded listings: one argument or several, -word an exclusion."""
    def ids(*words: str) -> set[str]:
        printed = _invoke(list(words), quick_start_store, monkeypatch)
        return {json.loads(line)["source_id"] for line in printed.splitlines()
                if line.startswith("{")}

    both = ids("search", "livraison bitume", "--json")
    assert both and both == ids("search", "livraison", "bitume", "--json")
    without_repas = ids("search", "livraison", "-repas", "--json")
    assert without_repas and without_repas < ids("search", "livraison", "--json")
    assert without_repas == ids("search", "livraison -repas", "--json")
    assert without_repas == ids("export", "livraison -repas status:open", "--format", "json")
