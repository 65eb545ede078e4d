"""Golden files: output compared byte for byte with a file checked in next to the test."""

from __future__ import annotations

import os
from pathlib import Path


def assert_golden(path: Path, actual: str) -> None:
    """Compare with a golden file; ``UPDATE_GOLDEN=1`` rewrites it (then review the diff)."""
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        if not os.environ.get("UPDATE_GOLDEN"):
            raise AssertionError(f"golden file {path} was missing: written, check it in")
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"differs from {path} (UPDATE_GOLDEN=1 to accept)"
