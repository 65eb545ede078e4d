"""The `aggregator` command. Each command group lives in its own module and registers here.

Heavy imports (Scrapy, SQLAlchemy, Textual) happen inside the commands, so that
`aggregator --help` and quick commands start fast.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from aggregator.config import CONFIG_ENV, ConfigError, load_config
from aggregator.i18n import N_, _

ABOUT = N_("Local-first aggregator of job offers and public tenders.")
app = typer.Typer(
    name="aggregator",
    help=ABOUT,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _options(
    config: Annotated[Path | None, typer.Option(
        "--config", help=_("Configuration file (default: aggregator.toml in the project, "
                           "then in the user config directory)."), envvar=CONFIG_ENV)] = None,
) -> None:
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
    # Every command reads and validates the file (one named with --config always, even when
    # AGGREGATOR_DATABASE_URL means the store needs nothing from it): a broken file is refused
    # whatever the command, not only by those that use the broken key. Spiders of other
    # modules (-s SPIDER_MODULES=...) declare their [sources.NAME] sections on import.
    modules = _spider_modules(sys.argv[1:])
    if modules:
        from aggregator.crawling.registry import spider_loader

        spider_loader(modules)
    load_config()


def _spider_modules(argv: list[str]) -> tuple[str, ...] | None:
    """The modules of a ``-s SPIDER_MODULES=a,b`` (``--set``) on the command line, if any."""
    for flag, value in itertools.pairwise(argv):
        name, _sep, modules = value.partition("=")
        if flag in ("-s", "--set") and name == "SPIDER_MODULES":
            return tuple(m.strip() for m in modules.split(",") if m.strip())
    return None


def _register() -> None:
    from aggregator.cli import (  # noqa: F401  (commands register on import)
        alerts,
        cpv,
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


def _choose_language(argv: list[str]) -> None:
    """The language of every message, ``--help`` included: chosen before the commands are
    defined, from ``[ui] language`` of the configuration the command will read."""
    from aggregator.config import find_config_file
    from aggregator.i18n import configured_language, set_language, translate_typer

    explicit = next((arg.partition("=")[2] or (argv[i + 1] if i + 1 < len(argv) else "")
                     for i, arg in enumerate(argv) if arg.partition("=")[0] == "--config"),
                    None)
    try:
        path = find_config_file(explicit)
    except ConfigError:
        path = None  # the command itself reports a missing file
    set_language(configured_language(path))
    translate_typer()


def main() -> None:
    _choose_language(sys.argv[1:])
    app.info.help = _(ABOUT)
    _register()
    from redis.exceptions import ConnectionError as RedisConnectionError
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

    from aggregator.crawling.replay import ReplayError

    # What a user can get wrong (a URL, a path, a server that is down) is one line, not a
    # traceback; anything else is a bug and keeps its traceback.
    try:
        app()
    except (ConfigError, ReplayError, UserError) as exc:
        fail(str(exc))
    except (ArgumentError, NoSuchModuleError) as exc:
        fail(_("database URL: %(error)s") % {"error": exc})
    except DBAPIError as exc:
        fail(_("database: %(error)s") % {"error": str(exc.orig).strip()})
    except SQLAlchemyError as exc:
        fail(_("database: %(error)s") % {"error": exc})
    except RedisConnectionError as exc:
        fail(_("cannot reach Redis: %(error)s") % {"error": exc})
    except OSError as exc:
        fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
    except KeyboardInterrupt:
        sys.exit(130)


def fail(message: str) -> NoReturn:
    print(_("error: %(message)s") % {"message": message}, file=sys.stderr)
    sys.exit(2)
