"""Typer's own words in the reader's language: "Usage:", "Error:", "Try '... --help' for
help.", "Missing argument", "No such option"...

Typer translates a few of its words (section titles, "default:", "required") through the
standard library's global gettext: the ``typer`` catalogue holds those
(aggregator.i18n.translate_typer). The Click that Typer ships (``typer._click``) writes the
others in English, with no gettext: :func:`install` makes its usage line, its error lines
and the help of ``--help`` go through our catalogue, and :func:`click_message` translates its
error messages, each known form with its variable part (a form it does not know is shown
as it is). In English every word is Typer's own. Only ``typer._click``, which Typer has
already imported, is touched: ``--help`` stays as cheap to start.
"""

from __future__ import annotations

import re
from typing import IO, Any

from typer import core as typer_core
from typer._click import core, exceptions, formatting
from typer._click.utils import echo

from aggregator.i18n import N_, WrittenForms, _

# the help of --help, as typer._click.decorators.help_option writes it
HELP_OPTION_HELP = N_("Show this message and exit.")

# Each error message as Typer's Click writes it (a regular expression, matched whole) and
# its message; the named groups are the message's placeholders. First match wins.
_WRITTEN = (
    (r"Missing argument (?P<name>.+?)\.", N_("Missing argument %(name)s.")),
    (r"Missing option (?P<name>.+?)\.", N_("Missing option %(name)s.")),
    (r"Missing parameter (?P<name>.+?)\.", N_("Missing parameter %(name)s.")),
    (r"Missing command\.", N_("Missing command.")),
    (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
     N_("No such option: %(name)s (Possible options: %(options)s)")),
    (r"No such option: (?P<name>\S+)", N_("No such option: %(name)s")),
    (r"No such command (?P<name>.+?)\. Did you mean (?P<matches>.+)\?",
     N_("No such command %(name)s. Did you mean %(matches)s?")),
    (r"No such command (?P<name>.+?)\.", N_("No such command %(name)s.")),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((?P<arguments>.*)\)",
     N_("Got unexpected extra argument(s) (%(arguments)s)")),
    (r"Option (?P<name>'[^']*') requires an argument\.",
     N_("Option %(name)s requires an argument.")),
    (r"Option (?P<name>'[^']*') requires (?P<n>\d+) arguments\.",
     N_("Option %(name)s requires %(n)s arguments.")),
    (r"Option (?P<name>'[^']*') does not take a value\.",
     N_("Option %(name)s does not take a value.")),
    (r"Argument (?P<name>'[^']*') takes (?P<n>\d+) values\.",
     N_("Argument %(name)s takes %(n)s values.")),
    # a choice (--format xml), as Typer's pydantic coercion words it
    (r"Invalid value for (?P<name>.+?): Value error, (?P<value>.+?) is not one of "
     r"(?P<choices>.+)\.", N_("Invalid value for %(name)s: %(value)s is not one of "
                             "%(choices)s.")),
    (r"Invalid value for (?P<name>.+?): (?P<problem>.*)",
     N_("Invalid value for %(name)s: %(problem)s")),
    (r"Invalid value: (?P<problem>.*)", N_("Invalid value: %(problem)s")),
)
_FORMS = WrittenForms(_WRITTEN, flags=re.S)


def click_message(message: str) -> str:
    """An error message of Typer's Click in the reader's language (as it is when its form
    is not known)."""
    return _FORMS.say(message)


def _error_line(error: exceptions.ClickException) -> str:
    return _("Error: %(message)s") % {"message": click_message(error.format_message())}


def _show_error(self: exceptions.ClickException, file: IO[Any] | None = None) -> None:
    echo(_error_line(self), file=file or exceptions.get_text_stderr(), color=self.show_color)


def _show_usage_error(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
    file = file or exceptions.get_text_stderr()
    color = None
    if self.ctx is not None:
        color = self.ctx.color
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = _("Try '%(command)s %(option)s' for help.") % {
                "command": self.ctx.command_path, "option": self.ctx.help_option_names[0]}
            hint += "\n"
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=color)
    echo(_error_line(self), file=file, color=color)


# What Typer writes after an option or argument for the kind of value it takes ("<str>")
_TYPES = {"str": N_("text"), "int": N_("integer"), "float": N_("number"),
          "path": N_("path"), "datetime": N_("date")}
# The usage line of a command group
_COMMAND_ARGS = N_("COMMAND [ARGS]...")

_write_usage = formatting.HelpFormatter.write_usage
_display_type = typer_core._TyperParameter.display_type
_get_help_option = core.Command.get_help_option


def _usage(self: formatting.HelpFormatter, prog: str, args: str = "",
           prefix: str | None = None) -> None:
    if args.endswith("COMMAND [ARGS]..."):
        args = args.removesuffix("COMMAND [ARGS]...") + _(_COMMAND_ARGS)
    _write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)


def _type_label(self: typer_core._TyperParameter, ctx: Any) -> str:
    """``<str>`` as ``<texte>``; a list is told by its "..." already: ``<list[str]>`` as
    ``<texte>`` too. Other labels (choices) stay as Typer writes them."""
    label = _display_type(self, ctx)
    inner = label[1:-1]
    if inner.startswith("list[") and inner.endswith("]"):
        inner = inner[5:-1]
    return f"<{_(_TYPES[inner])}>" if inner in _TYPES else label


def _heading(self: formatting.HelpFormatter, heading: str) -> None:
    # TRANSLATORS: a section of a command's help ("Options:"); French puts a space before ":"
    self.write(f"{'':>{self.current_indent}}" + _("%(heading)s:") % {"heading": heading}
               + "\n")


def _help_option(self: core.Command, ctx: core.Context) -> Any:
    option = _get_help_option(self, ctx)
    if option is not None:
        option.help = _(HELP_OPTION_HELP)  # in the language of this reading
    return option


def install() -> None:
    """Route Typer's Click words through our catalogue (once per process; idempotent)."""
    formatting.HelpFormatter.write_usage = _usage  # type: ignore[method-assign]
    formatting.HelpFormatter.write_heading = _heading  # type: ignore[method-assign]
    core.Command.get_help_option = _help_option  # type: ignore[method-assign]
    typer_core._TyperParameter.display_type = _type_label  # type: ignore[method-assign]
    exceptions.ClickException.show = _show_error  # type: ignore[method-assign]
    exceptions.UsageError.show = _show_usage_error  # type: ignore[method-assign]

