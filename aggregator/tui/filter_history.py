"""The filters run in the TUI, kept across sessions: one per line, oldest first, in the
user's state directory (``$XDG_STATE_HOME/aggregator``), the last ``HISTORY_SIZE`` only."""

from __future__ import annotations

from pathlib import Path

HISTORY_SIZE = 200


def history_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("aggregator")) / "filter_history"


def load_history(path: Path | None = None) -> list[str]:
    """The remembered filters, oldest first; none when the file is missing or unreadable
    (a history is a convenience, never a reason to fail)."""
    try:
        text = (path or history_path()).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.splitlines() if line.strip()][-HISTORY_SIZE:]


def save_history(entries: list[str], path: Path | None = None) -> None:
    """Write the filters (a read-only home only loses the history)."""
    path = path or history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{e}\n" for e in entries[-HISTORY_SIZE:]), encoding="utf-8")
    except OSError:
        pass


def remembered(entries: list[str], text: str) -> list[str]:
    """``entries`` with ``text`` as the newest (once: an earlier copy moves up)."""
    text = " ".join(text.split())
    if not text:
        return entries
    return [*(e for e in entries if e != text), text][-HISTORY_SIZE:]
