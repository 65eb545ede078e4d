"""Every reason a crawl drops an item for is known to the one registry that words it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from aggregator.drop_reasons import DROPPED_PREFIX, REASONS, drop_reason

ROOT = Path(__file__).resolve().parents[2]
# the calls whose first argument is a drop reason (or becomes one: the normaliser's errors)
_CALLS = {"drop", "drop_record", "NormalizationError", "AwardError"}


def _written_reasons() -> list[tuple[str, ast.expr]]:
    found = []
    for path in [*(ROOT / "aggregator").rglob("*.py"), *(ROOT / "spiders").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            first = node.args[0]
            if name in _CALLS:
                found.append((f"{path.name}:{node.lineno}", first))
            elif (name == "inc_value" and isinstance(first, ast.BinOp)
                  and getattr(first.left, "id", None) == "DROPPED_PREFIX"):
                found.append((f"{path.name}:{node.lineno}", first.right))
    return found


def test_every_reason_the_code_writes_has_a_french_label(default_language):
    written = _written_reasons()
    assert len(written) > 20
    for where, reason in written:
        if isinstance(reason, ast.Constant):
            assert drop_reason(reason.value) != reason.value, (where, reason.value)
        elif isinstance(reason, ast.JoinedStr):  # f"invalid {name}": one of its known values
            sample = "".join(part.value if isinstance(part, ast.Constant) else "ValueError"
                             for part in reason.values)
            pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant)
                              else r"\w+" for part in reason.values)
            assert (drop_reason(sample) != sample
                    or any(re.fullmatch(pattern, key) for key in REASONS)), (where, sample)
    assert DROPPED_PREFIX == "aggregator/dropped/"  # the stats key old runs were counted by
