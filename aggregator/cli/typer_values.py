"""The command line's values read without pydantic when they need no conversion.

Typer builds a pydantic ``TypeAdapter`` for every parameter of the command that runs: that
imports pydantic and generates a schema per parameter, about a third of a reading command's
start-up (issue 16). Most values need none of it: an option left out, a word where text is
expected, a number read by our own ``parser`` (aggregator/cli/numbers.py). :func:`install`
makes Typer read those as its adapter would (same value, same errors: a parser's own
exception goes through pydantic unchanged); any other value goes to Typer's own coercion,
built the first time such a value comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import core
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path


@dataclass(frozen=True)
class _PlainValues(RuntimeParam):
    """A parameter whose value is taken as typed, or read by its parser; Typer's coercion
    (pydantic) for any other value."""

    descriptor: TypeDescriptor

    @cached_property
    def _typer(self) -> RuntimeParam:
        """Typer's own coercion of this parameter, built on first need."""
        return build_runtime_param(self.descriptor)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        parser = self.parameter_info.parser
        if parser is not None and get_origin(self.annotation) is None:
            return parser(value)
        if self.annotation is str and isinstance(value, str):
            return value
        if (self.annotation is Path and self.parameter_info.path_type in (None, Path)
                and isinstance(value, str)):  # Typer's checks, without pydantic's Path(value)
            return coerce_cli_path(Path(value), self.parameter_info, path_type=Path,
                                   param=param, ctx=ctx)
        if (parser is None and get_origin(self.annotation) is list
                and get_args(self.annotation) == (str,) and isinstance(value, (list, tuple))
                and all(isinstance(item, str) for item in value)):
            return list(value)
        return self._typer._coerce_value(value, param=param, ctx=ctx)


def _runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    if descriptor.file_annotation is not None:  # Typer opens the file
        return build_runtime_param(descriptor)
    return _PlainValues(parameter_info=descriptor.parameter_info,
                        annotation=descriptor.annotation, descriptor=descriptor)


def install() -> None:
    """Read plain values without pydantic (once per process; idempotent)."""
    core.build_runtime_param = _runtime_param  # type: ignore[assignment]
