"""The logs of the long-running commands (`aggregator schedule`, `aggregator worker`): a
rotating file (5 × 5 MB) holds the whole log; the console (stderr) only warnings and errors,
unless ``verbose``.

The log is English, for whoever reads the file or reports a bug. A line the reader must act
on (a source not crawled because it is unconfigured...) carries its words in the reader's
language (``extra=for_reader(_("…"))``, aggregator.i18n): the console shows those instead.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from aggregator.config import Config
from aggregator.i18n import READER

LOG_BYTES, LOG_BACKUPS = 5_000_000, 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_file_path(config: Config) -> Path:
    """The scheduler's log file: ``[schedule] log_file``, else scheduler.log in the log
    directory."""
    from aggregator.crawling.runner import log_dir

    if config.schedule.log_file:
        return Path(config.schedule.log_file).expanduser()
    return log_dir() / "scheduler.log"


def worker_log_path(log_file: str | None = None) -> Path:
    """The worker's log file: ``log_file`` (its ``-s LOG_FILE``), else worker.log in the log
    directory."""
    from aggregator.crawling.runner import log_dir

    return Path(log_file).expanduser() if log_file else log_dir() / "worker.log"


class ConsoleFormatter(logging.Formatter):
    """The log's line, or the reader's when the record has one."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        told = getattr(record, READER, None)
        if told is None:
            return super().format(record)
        return f"{self.formatTime(record, '%Y-%m-%d %H:%M:%S')} {told}"


def configure_logging(path: Path, *, verbose: bool = False,
                      level: int | str = logging.INFO) -> None:
    """Send the log from ``level`` up to the rotating file ``path`` and, from WARNING up (from
    ``level`` when ``verbose``), to the console."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(level, str):  # a LOG_LEVEL setting: "INFO", "debug"...
        named = logging.getLevelName(level.upper())
        level = named if isinstance(named, int) else logging.INFO
    to_file = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    to_console = logging.StreamHandler()
    to_console.setFormatter(ConsoleFormatter())
    # Handler levels, not only the root's: Scrapy sets its own loggers to DEBUG.
    to_file.setLevel(level)
    to_console.setLevel(level if verbose else max(level, logging.WARNING))
    root = logging.getLogger()
    root.addHandler(to_file)
    root.addHandler(to_console)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
