"""The scheduler's logs: the console and a rotating file (5 × 5 MB)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from aggregator.config import Config

LOG_BYTES, LOG_BACKUPS = 5_000_000, 5


def log_file_path(config: Config) -> Path:
    from aggregator.crawling.runner import log_dir

    if config.schedule.log_file:
        return Path(config.schedule.log_file).expanduser()
    return log_dir() / "scheduler.log"


def configure_logging(config: Config, *, console: bool = True) -> Path:
    """Scheduler logs to a rotating file (5 × 5 MB) and to the console (stderr)."""
    path = log_file_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler())
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path
