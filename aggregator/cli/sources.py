"""`aggregator sources`: the sources, and the job boards they follow.

    aggregator sources                          # the sources and their health
    aggregator sources list                     # what each reads, needs, and where
    aggregator sources add greenhouse codepath  # follow a board
    aggregator sources remove lever eu:acme     # stop following one
    aggregator sources follow https://careers.example.com  # find the board, follow it

What a source is, needs and reads from comes from its spider class (the registry): adding a
spider adds it here.

Boards are kept in the configuration file (``[sources.PLATFORM] boards = [...]``), edited
with tomlkit so that its comments and layout stay as they were. The file is the one
`load_config()` reads; with none, ``aggregator.toml`` is created in the project directory
(the user config directory for an installed copy).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from aggregator.cli import UserError, app
from aggregator.config import CONFIG_ENV, CONFIG_NAME, PROJECT_ROOT, find_config_file, in_checkout
from aggregator.i18n import _
from aggregator.presentation import kind_short
from aggregator.terminal.console import console, safe

sources_app = typer.Typer(help=_("The sources, and the job boards they follow."),
                          rich_markup_mode=None)
app.add_typer(sources_app, name="sources")


@sources_app.callback(invoke_without_command=True,
    help=_("The sources and their health (with no subcommand)."))
def sources(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from aggregator.cli.health import show_sources_health

    show_sources_health()


@sources_app.command("list", help=_("Every source: what it reads, what it needs, and its endpoints "
            "(the setting that `-s` overrides, and the [sources.NAME] key of "
            "aggregator.toml) with the value in use."))
def list_sources(
    names: Annotated[list[str] | None, typer.Argument(metavar=_("SOURCE"),
        help=_("Sources to show (default: all)."), show_default=False)] = None,
) -> None:
    from aggregator.config import load_config
    from aggregator.crawling.registry import source_info, spider_names

    known = spider_names()
    unknown = [name for name in names or [] if name not in known]
    if unknown:
        raise UserError(_("unknown source %(unknown)s (known: %(known)s)")
                        % {"unknown": ", ".join(unknown), "known": ", ".join(known)})
    config = load_config()
    for name in names or known:
        info = source_info(name)
        params = config.source(name).params
        console.print(Text.assemble((name, "bold"),
                                    _("%(label)s:") % {"label": f" ({kind_short(info.kind)})"},
                                    " " + (_(info.about) if info.about else "")),
                      soft_wrap=True)
        console.print(safe(_("  needs: %(needs)s") % {"needs": info.needs or _("nothing")}),
                      soft_wrap=True)
        for endpoint in info.endpoints:
            configured = params.get(endpoint.key)
            value = (f"{configured} (default {endpoint.default})"
                     if configured not in (None, "") else endpoint.default)
            console.print(safe(f"  {endpoint.setting} = {value}  "
                               f"([sources.{name}] {endpoint.key})"), soft_wrap=True)


# -- editing the configuration file --------------------------------------------------------


def config_path() -> Path:
    """The file to edit: AGGREGATOR_CONFIG / --config (created if missing), else the file
    load_config() finds, else aggregator.toml in the project (or user config) directory."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    found = find_config_file()
    if found is not None:
        return found
    if in_checkout():
        return PROJECT_ROOT / CONFIG_NAME
    import platformdirs

    return Path(platformdirs.user_config_dir("aggregator")) / CONFIG_NAME


def board_spider(platform: str) -> type:
    """The spider class of a board platform; UserError naming the platforms otherwise."""
    from aggregator.crawling.registry import board_platforms, spider_class

    platforms = board_platforms()
    if platform not in platforms:
        raise UserError(_("%(platform)r is not a job-board platform (platforms: %(known)s)")
                        % {"platform": platform, "known": ", ".join(platforms)})
    return spider_class(platform)


def _load(path: Path) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: {exc}") from None


def _save(document: Any, path: Path) -> None:
    import tomlkit

    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(scratch, path)  # never a half-written configuration


def _boards_array(document: Any, platform: str, *, create: bool, key: str = "boards") -> Any:
    """The ``[sources.PLATFORM] boards`` array (or another ``key``) of the document
    (created when asked)."""
    import tomlkit

    if "sources" not in document:
        if not create:
            return None
        document["sources"] = tomlkit.table(is_super_table=True)
    sources_table = document["sources"]
    if platform not in sources_table:
        if not create:
            return None
        sources_table[platform] = tomlkit.table()
    section = sources_table[platform]
    boards = section.get(key)
    if isinstance(boards, str):  # "a,b" is allowed in the file: make it a real list
        boards = [b.strip() for b in boards.split(",") if b.strip()]
    if boards is None or not hasattr(boards, "multiline"):
        if boards is None and not create:
            return None
        array = tomlkit.array()
        array.extend(boards or [])
        section[key] = array
    return section[key]


def _key(spider: type, text: str) -> str:
    try:
        return spider.parse_board(str(text)).key
    except ValueError:
        return str(text).strip()


@sources_app.command("add", help=_("Follow job boards of a platform (written to the configuration "
            "file)."))
def add(
    platform: Annotated[str, typer.Argument(metavar=_("PLATFORM"),
        help=_("The platform: greenhouse, lever, workday..."))],
    boards: Annotated[list[str], typer.Argument(metavar=_("BOARD"),
        help=_("Boards to follow: a token/site name, eu:SITE for Lever's EU instance, "
        "or the board's URL (Workday, Teamtailor)."))],
) -> None:
    spider = board_spider(platform)
    keys = []
    for text in boards:
        try:
            keys.append(spider.parse_board(text).key)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    path = config_path()
    document = _load(path)
    array = _boards_array(document, platform, create=True)
    present = {_key(spider, b) for b in array}
    added = [k for k in dict.fromkeys(keys) if k not in present]
    for key in added:
        array.append(key)
    if added:
        _save(document, path)
    for key in keys:
        state = (_("%(platform)s: %(board)s now followed (%(path)s)") if key in added
                 else _("%(platform)s: %(board)s already followed (%(path)s)"))
        console.print(safe(state % {"platform": platform, "board": key, "path": path}),
                      soft_wrap=True)


@sources_app.command("remove",
    help=_("Stop following job boards (their stored listings stay; they are "
            "no longer refreshed)."))
def remove(
    platform: Annotated[str, typer.Argument(metavar=_("PLATFORM"),
        help=_("The platform: greenhouse, lever, workday..."))],
    boards: Annotated[list[str], typer.Argument(metavar=_("BOARD"),
        help=_("Boards to stop following."))],
) -> None:
    spider = board_spider(platform)
    path = config_path()
    document = _load(path)
    array = _boards_array(document, platform, create=False)
    current = [_key(spider, b) for b in array] if array is not None else []
    wanted = {_key(spider, text) for text in boards}
    missing = sorted(wanted - set(current))
    if missing:
        raise UserError(_("%(platform)s does not follow %(missing)s (followed: %(current)s; "
                          "%(path)s)") % {"platform": platform, "missing": ", ".join(missing),
                                          "current": ", ".join(current) or _("none"),
                                          "path": path})
    for index in reversed(range(len(current))):
        if current[index] in wanted:
            del array[index]
    _save(document, path)
    for key in sorted(wanted):
        console.print(safe(_("%(platform)s: %(board)s no longer followed (%(path)s)")
                           % {"platform": platform, "board": key, "path": path}),
                      soft_wrap=True)


@sources_app.command("follow", help=_(
    "Find the job board (or career site) behind a web address and follow it: the address "
    "itself, then the page's links, frames and scripts, then schema.org JobPosting on it."))
def follow(
    url: Annotated[str, typer.Argument(metavar=_("URL"),
        help=_("A company's careers page, or any of its job URLs."))],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=_("Say what was found; change nothing."))] = False,
) -> None:
    from aggregator.crawling.follow import CAREER_SITES, FollowError
    from aggregator.crawling.follow import follow as find
    from aggregator.crawling.settings import USER_AGENT

    try:
        outcome = find(url, USER_AGENT)
    except FollowError as exc:
        raise UserError(_("cannot read the page: %(reason)s") % {"reason": exc}) from None
    if not outcome.found:
        raise UserError(_("no job board found for %(url)s (tried %(tried)s)")
                        % {"url": url, "tried": "; ".join(outcome.tried)})
    path = config_path()
    document = _load(path)
    changed = False
    for found in outcome.found:
        key = "sites" if found.platform == CAREER_SITES else "boards"
        console.print(safe(_("%(platform)s: %(board)s (found in %(how)s)")
                           % {"platform": found.platform, "board": found.board,
                              "how": found.how}), soft_wrap=True)
        if dry_run:
            continue
        array = _boards_array(document, found.platform, create=True, key=key)
        present = {str(entry).rstrip("/") for entry in array} if key == "sites" else \
            {_key(board_spider(found.platform), entry) for entry in array}
        if found.board.rstrip("/") in present:
            console.print(safe(_("  already followed (%(path)s)") % {"path": path}))
            continue
        array.append(found.board)
        changed = True
        console.print(safe(_("  now followed (%(path)s)") % {"path": path}))
    if changed:
        _save(document, path)
