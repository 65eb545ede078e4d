"""The `aggregator` command. Each command group lives in its own module and registers here.

Heavy imports (Scrapy, SQLAlchemy, Textual) happen inside the commands, so that
`aggregator --help` and quick commands start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from aggregator.config import CONFIG_ENV, ConfigError

app = typer.Typer(
    name="aggregator",
    help="Local-first aggregator of job offers and public tenders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _options(
    config: Annotated[Path | None, typer.Option(
        "--config", help="Configuration file (default: aggregator.toml in the project, "
        "then in the user config directory).", envvar=CONFIG_ENV)] = None,
) -> None:
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)


def _register() -> None:
    from aggregator.cli import (  # noqa: F401  (commands register on import)
        alerts,
        crawl,
        db,
        export,
        listings,
        runs,
        schedule,
        sources,
        tui,
        worker,
    )


class UserError(Exception):
    """An error to show the user in one line, without a traceback."""


def main() -> None:
    _register()
    from sqlalchemy.exc import OperationalError

    from aggregator.replay import ReplayError

    try:
        app()
    except (ConfigError, ReplayError, UserError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except OperationalError as exc:
        print(f"error: database: {exc.orig}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
