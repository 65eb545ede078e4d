"""Schedules from the configuration: times, cron expressions, slots across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aggregator.config import ConfigError, ScheduleConfig, SourceConfig
from aggregator.scheduling.triggers import (
    crontab_weekdays,
    latest_slot,
    previous_fire_time,
    source_trigger,
    timezone_of,
)

PARIS = ZoneInfo("Europe/Paris")


def trigger(schedule: str | None = None, time: ScheduleConfig | None = None, **options):
    return source_trigger(SourceConfig("boamp", schedule=schedule),
                          time or ScheduleConfig(**options))


def fires(trig, start: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times from ``start``, computed by the trigger itself."""
    out, previous, now = [], None, start
    for _ in range(count):
        previous = trig.get_next_fire_time(previous, now)
        out.append(previous)
        now = previous.astimezone(UTC) + timedelta(seconds=1)
    return out


def test_default_time_is_six_in_paris_and_stays_six_across_dst():
    times = fires(trigger(), datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    assert [t.astimezone(PARIS).strftime("%d %H:%M %Z") for t in times] == [
        "28 06:00 CET", "29 06:00 CEST", "30 06:00 CEST", "31 06:00 CEST"]
    assert [t.astimezone(UTC).hour for t in times] == [5, 4, 4, 4]


def test_source_schedule_hh_mm_and_timezone():
    (first,) = fires(trigger("18:45", timezone="America/New_York"),
                     datetime(2026, 6, 1, tzinfo=UTC), 1)
    assert first.astimezone(UTC) == datetime(2026, 6, 1, 22, 45, tzinfo=UTC)


def test_cron_weekdays_are_crontab_weekdays():
    # "1-5" is Monday to Friday in crontab; APScheduler 3 alone would read Tuesday-Saturday.
    weekdays = fires(trigger("30 5 * * 1-5"), datetime(2026, 6, 1, tzinfo=UTC), 6)  # a Monday
    assert [t.strftime("%a %H:%M") for t in weekdays] == [
        "Mon 05:30", "Tue 05:30", "Wed 05:30", "Thu 05:30", "Fri 05:30", "Mon 05:30"]
    sundays = fires(trigger("0 7 * * 0"), datetime(2026, 6, 1, tzinfo=UTC), 2)
    assert [t.strftime("%a %d") for t in sundays] == ["Sun 07", "Sun 14"]


@pytest.mark.parametrize("field, days", [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("0-2", "mon,tue,sun"),
    ("5-7", "fri,sat,sun"), ("*/2", "tue,thu,sat,sun"), ("mon-fri", "mon,tue,wed,thu,fri"),
    ("SAT,sun", "sat,sun"), ("*", "*"),
])
def test_crontab_weekdays(field, days):
    assert crontab_weekdays(field) == days


@pytest.mark.parametrize("schedule, message", [
    ("25:00", "expected HH:MM or a 5-field cron"),
    ("6h", "expected HH:MM"),
    ("0 6 * *", "expected HH:MM"),
    ("0 25 * * *", "[sources.boamp] schedule '0 25 * * *'"),
    ("0 6 * * 1-9", "[sources.boamp] schedule"),
])
def test_bad_schedules_say_where(schedule, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("*", r"\*")):
        trigger(schedule)


def test_bad_default_time_and_timezone():
    # the configuration's schema refuses them when the file is read (tests/test_config.py);
    # a schedule built otherwise is refused here
    with pytest.raises(ConfigError, match=r"\[schedule\] time '6'"):
        trigger(time=ScheduleConfig.model_construct(time="6"))
    with pytest.raises(ConfigError, match="unknown time zone"):
        timezone_of(ScheduleConfig.model_construct(timezone="Mars/Olympus"))


def test_previous_fire_time_and_slot():
    daily = trigger()
    now = datetime(2026, 6, 3, 4, 59, tzinfo=UTC)  # 06:59 in Paris
    assert previous_fire_time(daily, now) == datetime(2026, 6, 3, 6, 0, tzinfo=PARIS)
    assert latest_slot(daily, datetime(2026, 6, 3, 3, 59, tzinfo=UTC)) == datetime(
        2026, 6, 2, 4, 0, tzinfo=UTC)  # 05:59 in Paris: yesterday's
    monthly = trigger("0 6 1 * *")
    assert latest_slot(monthly, now) == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    leap = trigger("0 6 29 2 *")
    assert latest_slot(leap, now) == datetime(2024, 2, 29, 5, 0, tzinfo=UTC)


def test_a_repeated_wall_time_is_one_slot():
    half_past_two = trigger("02:30")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert latest_slot(half_past_two, first) == latest_slot(half_past_two, second) == first
    assert latest_slot(half_past_two, datetime(2026, 10, 26, 2, tzinfo=UTC)) == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC)
