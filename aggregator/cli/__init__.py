"""The `aggregator` command. Each command group lives in its own module and registers here.

Heavy imports (Scrapy, SQLAlchemy, Textual) happen inside the commands, so that
`aggregator --help` and quick commands start fast.
"""

from __future__ import annotations

import errno
import gc
import itertools
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from aggregator.cli import click_words, typer_values
from aggregator.config import CONFIG_ENV, ConfigError, load_config
from aggregator.i18n import N_, _

click_words.install()  # Typer's own words ("Usage:", "Error:"...) in the reader's language
typer_values.install()  # plain values read without importing pydantic

ABOUT = N_("Local-first aggregator of job offers and public tenders.")
app = typer.Typer(
    name="aggregator",
    help=ABOUT,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"aggregator {version('aggregator')}")
        raise typer.Exit()


@app.callback()
def _options(
    config: Annotated[Path | None, typer.Option(
        "--config", help=_("Configuration file (default: aggregator.toml in the project, "
                           "then in the user config directory)."), envvar=CONFIG_ENV)] = None,
    _version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help=_("Show the version and exit."))] = False,
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


# command (or command group) → the module that defines it: a command imports its own module
# only, so `aggregator list` does not pay for Scrapy, Textual or the scheduler.
COMMAND_MODULES = {
    "alerts": "alerts", "buyer": "awards", "supplier": "awards", "renewals": "awards",
    "cpv": "cpv", "crawl": "crawl", "db": "db", "export": "export",
    "search": "listings", "list": "listings", "show": "listings", "runs": "runs",
    "schedule": "schedule", "sources": "sources", "tui": "tui", "worker": "worker",
}


def _register(command: str | None = None, *, preload: bool = False) -> None:
    """Register ``command``'s module, or every command (help, completion, tests).
    ``preload``: also import the modules its ``PRELOAD`` names (what the command will run)."""
    from importlib import import_module

    modules = ({COMMAND_MODULES[command]} if command in COMMAND_MODULES
               else sorted(set(COMMAND_MODULES.values())))
    for module in modules:  # commands register on import
        loaded = import_module(f"aggregator.cli.{module}")
        for name in getattr(loaded, "PRELOAD", {}).get(command, ()) if preload else ():
            import_module(name)


def _command_word(args: list[str]) -> str | None:
    """The command a command line names (the first word after the global options)."""
    words = iter(args)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


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
    # Start-up creates some 100,000 objects that live as long as the process (modules,
    # classes, SQLAlchemy's tables): the collector scanning them again and again is ~15% of
    # a quick command's time. Paused while they load, then set aside for good (freeze).
    gc.disable()
    try:
        _choose_language(sys.argv[1:])
        app.info.help = _(ABOUT)
        _register(_command_word(sys.argv[1:]), preload="--help" not in sys.argv)
    finally:
        gc.freeze()
        gc.enable()
    # What a user can get wrong (a URL, a path, a server that is down) is one line, not a
    # traceback; anything else is a bug and keeps its traceback.
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        message = user_error_message(exc)
        if message is None:
            raise
        fail(message)


def _loaded(module: str, name: str) -> type | None:
    """Class ``name`` of ``module`` if that module was imported (an exception of a library the
    command never imported cannot have been raised: no need to import it to test for it)."""
    return getattr(sys.modules.get(module), name, None)


def user_error_message(exc: BaseException) -> str | None:
    """The one line to show for an error a user can cause, None for a bug."""
    def raised(module: str, name: str) -> bool:
        cls = _loaded(module, name)
        return cls is not None and isinstance(exc, cls)

    if isinstance(exc, (ConfigError, UserError)) or raised("aggregator.crawling.replay",
                                                           "ReplayError"):
        return str(exc)
    if raised("sqlalchemy.exc", "ArgumentError") or raised("sqlalchemy.exc",
                                                            "NoSuchModuleError"):
        return _("database URL: %(error)s") % {"error": exc}
    if raised("sqlalchemy.exc", "DBAPIError"):
        return _("database: %(error)s") % {
            "error": str(exc.orig).strip()}  # type: ignore[attr-defined]
    if raised("sqlalchemy.exc", "SQLAlchemyError"):
        return _("database: %(error)s") % {"error": exc}
    if raised("redis.exceptions", "ConnectionError"):
        from aggregator.run_notes import redis_error

        return _("cannot reach Redis: %(error)s") % {"error": redis_error(str(exc))}
    if isinstance(exc, OSError):
        problem = _(_OS_ERRORS[exc.errno]) if exc.errno in _OS_ERRORS else exc.strerror or exc
        return (_("%(problem)s: %(path)s") % {"problem": problem, "path": exc.filename}
                if exc.filename else str(problem))
    return None


# The file errors a user meets (a folder that does not exist, a read-only disk), in words of
# their language: the system's own are English whatever the language chosen here.
_OS_ERRORS = {errno.ENOENT: N_("no such file or folder"), errno.EACCES: N_("permission denied"),
              errno.EPERM: N_("permission denied"), errno.EISDIR: N_("this is a folder"),
              errno.ENOTDIR: N_("not a folder"), errno.ENOSPC: N_("no space left on the disk"),
              errno.EROFS: N_("read-only file system"), errno.EEXIST: N_("already exists")}


def fail(message: str) -> NoReturn:
    print(_("error: %(message)s") % {"message": message}, file=sys.stderr)
    sys.exit(2)
