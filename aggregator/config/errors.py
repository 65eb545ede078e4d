"""A schema violation of aggregator.toml, said in one line: where (``[section] key``) and why."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from aggregator.i18n import N_, _

if TYPE_CHECKING:  # pydantic loads with the schema, when a file is read
    from pydantic import BaseModel, ValidationError

# Keys that hold a secret when someone writes one: said so, and their value never echoed.
SECRET_KEYS = {"password": "AGGREGATOR_SMTP_PASSWORD",
               "client_secret": "FRANCE_TRAVAIL_CLIENT_SECRET",
               "client_id": "FRANCE_TRAVAIL_CLIENT_ID"}


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


def _where(loc: tuple[Any, ...]) -> str:
    """('sources', 'boamp', 'page_size') → "[sources.boamp] page_size"."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    if not names:
        return "the file"
    if names[0] == "sources" and len(names) > 1:
        section, keys = f"sources.{names[1]}", names[2:3]
    else:
        section, keys = names[0], names[1:2]
    return f"[{section}]" + (f" {keys[0]}" if keys else "")


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model (section) that holds the last name of ``loc``."""
    from pydantic import BaseModel

    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        inner = field.annotation
        candidates = [inner, *getattr(inner, "__args__", ())]
        found = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not found:
            return None
        model = found[0]
    return model


def _names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def unknown_name(loc: tuple[Any, ...], valid: list[str]) -> str:
    """An unknown section, source or key, and the closest valid name (or the valid ones)."""
    where, name = _where(loc), str(loc[-1])
    if name in SECRET_KEYS:
        return _("%(where)s: secrets never go in the file; set %(variable)s in the "
                 "environment") % {"where": where, "variable": SECRET_KEYS[name]}
    if len(loc) == 1:
        what, spell = _("unknown section"), "[{}]"
    elif loc[0] == "sources" and len(loc) == 2:
        what, spell = _("unknown source"), "[sources.{}]"
    else:
        what, spell = _("unknown key"), "{}"
    close = difflib.get_close_matches(name, valid, n=1)
    if close:
        return _("%(where)s: %(what)s (did you mean %(close)s?)") % {
            "where": where, "what": what, "close": spell.format(close[0])}
    return _("%(where)s: %(what)s (valid: %(names)s)") % {
        "where": where, "what": what, "names": ", ".join(valid)}


def describe(error: ValidationError, schema: type[BaseModel],
             prefix: tuple[str, ...] = ()) -> str:
    """The first problem of ``error`` (found validating ``schema``, the part of the file at
    ``prefix``), in one line."""
    from aggregator.config.sources import expected_value

    first = error.errors()[0]
    # a value given as `list[str] | str` fails both; the branch name is no key
    inner = tuple(p for p in first["loc"] if isinstance(p, int) or (
        isinstance(p, str) and "[" not in p and p != "str"))
    loc = prefix + inner
    where = _where(loc)
    kind = first["type"]
    model = _model_at(schema, inner) if inner else None
    if kind == "extra_forbidden":
        return unknown_name(loc, _names(model) if model else [])
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("%(where)s must be a table") % {"where": where}
    expected = expected_value(model, str(inner[-1])) if model and inner else None
    value = first["input"]
    return _("%(where)s must be %(expected)s, not %(value)s") % {
        "where": where, "expected": expected or _expected_of_type(kind, first["msg"]),
        # as the file spells it: true, not Python's True
        "value": str(value).lower() if isinstance(value, bool) else repr(value)}


def _expected_of_type(kind: str, message: str) -> str:
    """What a value of a declared type is, in words, for a key that does not say (an item of
    a list): pydantic's own message (English) otherwise."""
    for prefix, words in (("string", N_("a text in quotes")), ("int", N_("a whole number")),
                          ("float", N_("a number")), ("bool", N_("true or false"))):
        if kind.startswith(prefix):
            return _(words)
    return message
