"""When a source is crawled: its cron trigger, and the slot a fire time belongs to.

Every enabled source gets a cron trigger in ``[schedule] timezone``: its own
``[sources.NAME] schedule`` ("HH:MM" or a 5-field cron expression), else ``[schedule] time``.
Cron weekdays are crontab's (0 or 7 = Sunday, 1-5 = Monday to Friday), spelled out by name
for APScheduler 3, which would otherwise count 0 as Monday. A *slot* is the first instant of
a fire time's local wall time, so a wall time that happens twice (the autumn daylight-saving
night) is one slot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.config import ConfigError, ScheduleConfig, SourceConfig


def timezone_of(schedule: ScheduleConfig) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[schedule] timezone {schedule.timezone!r}: unknown time zone "
                          "(expected a name like Europe/Paris)") from None


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbers 0..6 (7 = sun)


def _weekday(text: str) -> int:
    text = text.strip().lower()
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text[:3] in _WEEKDAYS and len(text) == 3:
        return _WEEKDAYS.index(text)
    raise ValueError(f"unknown weekday {text!r}")


def crontab_weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday, 1 = Monday…) as APScheduler 3 day names.

    APScheduler 3's ``CronTrigger.from_crontab`` passes the field through unchanged, and it
    counts 0 as *Monday* (its docstring's warning, APScheduler issue #286): "1-5" would run
    Tuesday to Saturday. So the days are spelled out by name here.
    """
    if field.strip() == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (_weekday(value) for value in span.split("-", 1))
        else:
            first = _weekday(span)
            last = 6 if step_text else first  # "1/2": from Monday, every other day
        if first > last or step < 1:
            raise ValueError(f"weekday range {part!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    monday_first = sorted(days, key=lambda day: (day + 6) % 7)
    return ",".join(_WEEKDAYS[day] for day in monday_first)


def source_trigger(source: SourceConfig, schedule: ScheduleConfig) -> Any:
    """The cron trigger of a source: its own ``schedule`` ("HH:MM" or 5-field cron), else
    ``[schedule] time``, in ``[schedule] timezone``."""
    from apscheduler.triggers.cron import CronTrigger

    tz = timezone_of(schedule)
    where = f"[sources.{source.name}] schedule" if source.schedule else "[schedule] time"
    spec = str(source.schedule or schedule.time).strip()
    try:
        fields = spec.split()
        if len(fields) == 5:
            minute, hour, day, month, weekday = fields
            return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                               day_of_week=crontab_weekdays(weekday), timezone=tz)
        hour, sep, minute = spec.partition(":")
        if (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
                and int(hour) < 24 and int(minute) < 60):
            return CronTrigger(hour=int(hour), minute=int(minute), timezone=tz)
    except ValueError as exc:
        raise ConfigError(f"{where} {spec!r}: {exc}") from None
    raise ConfigError(f"{where} {spec!r}: expected HH:MM or a 5-field cron expression "
                      "(minute hour day month weekday)")


def previous_fire_time(trigger: Any, now: datetime) -> datetime | None:
    """The trigger's latest fire time at or before ``now`` (None if it never fired in
    ~8 years). APScheduler 3 only computes forward, so this walks forward from a window
    that is widened until it holds a fire time."""
    now = now.astimezone(UTC)  # arithmetic on local wall times would lose DST folds
    for days in (1, 8, 32, 367, 3000):
        fire = trigger.get_next_fire_time(None, now - timedelta(days=days))
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(
                None, fire.astimezone(UTC) + timedelta(seconds=1))
            if following is None or following > now or following <= fire:
                return fire
            fire = following
    return None


def slot_of(fire_time: datetime) -> datetime:
    """The slot a fire time belongs to: the *first* instant of its local wall time.

    On the autumn night a wall time such as 02:30 happens twice and APScheduler 3 fires at
    both; both fires are one slot, so the source is crawled once.
    """
    wall = fire_time.replace(tzinfo=None)
    return wall.replace(tzinfo=fire_time.tzinfo, fold=0).astimezone(UTC)


def latest_slot(trigger: Any, now: datetime) -> datetime | None:
    fire = previous_fire_time(trigger, now)
    return slot_of(fire) if fire is not None else None

