"""The TUI and the terminal rendering stay in their layers: the TUI never reaches into the
CLI, and the terminal rendering (shared by both) depends on neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import aggregator

PACKAGE = Path(aggregator.__file__).parent


def imported_modules(folder: str) -> dict[str, set[str]]:
    """Every module a package's files import, at the top or inside a function."""
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[path.name] = names
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("tui", ("aggregator.cli",)),
    ("terminal", ("aggregator.cli", "aggregator.tui")),
])
def test_no_import_reaches_an_upper_layer(folder, forbidden):
    for module, names in imported_modules(folder).items():
        assert not [n for n in names if n.startswith(forbidden)], module
