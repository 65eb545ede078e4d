"""The ``[sources.NAME]`` sections of aggregator.toml: one declared model per source.

Each model lists every key its spider reads (``param()`` / ``list_param()`` in ``spiders/``),
with its type; a spider argument (``-a name=value``) overrides the key of the same name for
one run and is checked against the same model (:func:`check_arguments`). The test suite keeps
this list and the spiders in step: every spider has a section here, with its endpoint keys.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from aggregator.i18n import N_, _


def endpoint_url(value: str) -> str:
    """An endpoint: an http(s) address (a template keeps its ``{board}``)."""
    if not re.match(r"https?://[^\s/]+", value.strip()):
        raise ValueError("not an http(s) URL")
    return value


def schedule_spec(value: str) -> str:
    """A schedule, "HH:MM" or 5 cron fields (their values are checked by
    APScheduler when the scheduler builds the trigger)."""
    if len(value.split()) == 5 or _is_clock_time(value):
        return value
    raise ValueError("not HH:MM or a 5-field cron expression")


def _is_clock_time(value: str) -> bool:
    """ "HH:MM" of a 24-hour day: "06:00", "7:30"; not "25:99"."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    return bool(match) and int(match[1]) < 24 and int(match[2]) < 60


SCHEDULE_EXPECTED = N_('"HH:MM" (00:00 to 23:59) or a 5-field cron expression')
Url = Annotated[str, AfterValidator(endpoint_url), Field(json_schema_extra={
    "expected": N_("an http(s) URL in quotes")})]
Texts = Annotated[list[str] | str, Field(json_schema_extra={
    "expected": N_('a list of texts (["a", "b"]) or one text')})]
Count = Annotated[int, Field(ge=1, json_schema_extra={"expected": N_("a whole number >= 1")})]
Flag = Annotated[bool, Field(json_schema_extra={"expected": N_("true or false")})]
Text = Annotated[str, Field(json_schema_extra={"expected": N_("a text in quotes")})]


class SourceSection(BaseModel):
    """Keys every source takes."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    enabled: Flag = True
    schedule: Annotated[str | None, AfterValidator(lambda v: v and schedule_spec(v)), Field(
        json_schema_extra={"expected": SCHEDULE_EXPECTED})] = None
    # With [distributed] enabled: false keeps this source crawled by the scheduler itself.
    distributed: Flag = True
    full: Flag = False  # read everything (slow): the only crawl that closes vanished listings


class IncrementalSection(SourceSection):
    """Sources read from the newest stored publication on."""

    first_crawl_days: Count = 30
    page_size: Count | None = None


class BoamSection(IncrementalSection):
    api_url: Url | None = None
    where: Text | None = None  # an extra ODSQL condition


class TedSection(IncrementalSection):
    api_url: Url | None = None
    query: Text | None = None
    notice_scope: Text | None = None


class OcdsSection(IncrementalSection):
    api_url: Url | None = None
    stages: Texts = ["tender", "award"]
    window_days: Count = 7


class FranceTravailSection(IncrementalSection):
    api_url: Url | None = None
    token_url: Url | None = None
    departments: Texts = []
    keywords: Texts = []
    contract_types: Texts = []


class JobPostingSection(SourceSection):
    # a site is a URL or a table (url, name, sitemap, listing, include, exclude): the spider
    # says which entry it cannot use, and why
    sites: Annotated[list[Any], Field(json_schema_extra={
        "expected": N_("a list of URLs or tables")})] = []
    urls: Texts = []


class BoardsSection(SourceSection):
    """Job-board platforms: the companies followed."""

    boards: Texts = []
    page_size: Count | None = None
    max_pages: Count | None = None


class ApiBoardsSection(BoardsSection):
    api_url: Url | None = None


class TemplateBoardsSection(BoardsSection):
    url_template: Url | None = None


class LeverSection(ApiBoardsSection):
    eu_api_url: Url | None = None


class ApecSection(SourceSection):
    """APEC: searches, not boards."""

    api_url: Url | None = None
    keywords: Texts = []
    places: Texts = []
    page_size: Count | None = None
    max_pages: Count | None = None


class DecpSection(SourceSection):
    """DECP contract data: the files to read, else the national dataset (the endpoint)."""

    api_url: Url | None = None
    urls: Texts = []
    dataset: Text | None = None  # the dataset's identifier on the portal


SECTIONS: dict[str, type[SourceSection]] = {
    "boamp": BoamSection,
    "ted": TedSection,
    "ocds": OcdsSection,
    "francetravail": FranceTravailSection,
    "jobposting": JobPostingSection,
    "ashby": ApiBoardsSection,
    "greenhouse": ApiBoardsSection,
    "smartrecruiters": ApiBoardsSection,
    "workable": ApiBoardsSection,
    "lever": LeverSection,
    "breezy": TemplateBoardsSection,
    "recruitee": TemplateBoardsSection,
    "teamtailor": BoardsSection,
    "workday": BoardsSection,
    "apec": ApecSection,
    "bamboohr": TemplateBoardsSection,
    "personio": TemplateBoardsSection,
    "successfactors": BoardsSection,
    "talentsoft": BoardsSection,
    "decp": DecpSection,
}

def expected_value(model: type[BaseModel], name: str) -> str | None:
    """What a key takes, in words (the ``expected`` of its declaration), or None."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    found = [field.json_schema_extra or {}]
    pending = [field.annotation, *field.metadata]
    while pending:  # an alias such as ``Count | None`` keeps its Field inside the union
        item = pending.pop()
        if isinstance(item, FieldInfo):
            found.append(item.json_schema_extra or {})
        pending.extend(get_args(item))
        pending.extend(getattr(item, "__metadata__", ()))
    for extra in found:
        if isinstance(extra, dict) and extra.get("expected"):
            return _(str(extra["expected"]))
    return None


def register_section(name: str, section: type[SourceSection] = SourceSection) -> None:
    """Declare the ``[sources.NAME]`` section of a spider that is not one of the project's
    (one from another module, ``-s SPIDER_MODULES=...``): its module calls this on import."""
    SECTIONS.setdefault(name, section)


# Spider arguments that are not configuration keys: the window of one run, and the days
# of the Opendatasoft sources (boamp) read instead of a window.
_RUN_DATES = ("since", "until")
_RUN_DAY_LISTS = ("days",)


def check_arguments(source: str, args: dict[str, str]) -> None:
    """Refuse a spider argument (``-a name=value``, text) that its configuration key of the
    same name would refuse: ``-a since=yesterday``, ``-a page_size=many``. ValueError."""
    for name in _RUN_DATES:
        if args.get(name):
            try:
                date.fromisoformat(args[name])
            except ValueError:
                raise ValueError(_("-a %(name)s=%(value)r: expected a date YYYY-MM-DD") % {
                    "name": name, "value": args[name]}) from None
    for name in _RUN_DAY_LISTS:
        for day in str(args.get(name) or "").split(","):
            try:
                if day.strip():
                    date.fromisoformat(day.strip())
            except ValueError:  # the day that is not one
                raise ValueError(_("-a %(name)s=%(value)r: expected a date YYYY-MM-DD") % {
                    "name": name, "value": day.strip()}) from None
    section = SECTIONS.get(source)
    if section is None:
        return
    from pydantic import ValidationError

    for name, value in args.items():
        if name not in section.model_fields or name in ("enabled", "schedule") or value == "":
            continue
        try:  # arguments are text: lax mode reads "30" as 30 and "true" as true
            section.model_validate({name: value}, strict=False)
        except ValidationError:
            expected = expected_value(section, name)
            raise ValueError(_("-a %(name)s=%(value)r: expected %(expected)s") % {
                "name": name, "value": value,
                "expected": expected or _("another value")}) from None
