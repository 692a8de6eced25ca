"""Business days: Monday to Friday in the client's time zone, less company holidays, correct
across weekends, month ends and DST changes. The clock is frozen (freezegun) at the moment an
interview ends, as the workflows read it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from domain.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
    parse_holidays,
)

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def at(tz: str, *fields: int) -> datetime:
    """A local wall-clock moment, in UTC."""
    return datetime(*fields, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[misc]


def test_friday_evening_interview_counts_from_friday_in_the_clients_zone() -> None:
    # Friday 6 March 2026, 21:30 in New York is already Saturday 02:30 in UTC.
    with freeze_time("2026-03-07 02:30:00+00:00"):
        ended = datetime.now(UTC)
    assert local(ended, NEW_YORK).strftime("%a %H:%M") == "Fri 21:30"
    first = add_business_days(ended, 1, NEW_YORK)
    assert local(first, NEW_YORK).strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-03-09 21:30"
    third = add_business_days(ended, 3, NEW_YORK)
    assert local(third, NEW_YORK).strftime("%a %Y-%m-%d %H:%M") == "Wed 2026-03-11 21:30"
    fifth = add_business_days(ended, 5, NEW_YORK)
    assert local(fifth, NEW_YORK).strftime("%a %Y-%m-%d %H:%M") == "Fri 2026-03-13 21:30"


def test_the_same_moment_in_utc_would_count_from_saturday() -> None:
    """Why the zone matters: in UTC the Friday-evening interview above is a Saturday one."""
    ended = datetime(2026, 3, 7, 2, 30, tzinfo=UTC)
    assert add_business_days(ended, 5, "UTC") == datetime(2026, 3, 13, 2, 30, tzinfo=UTC)
    assert add_business_days(ended, 5, NEW_YORK) == datetime(2026, 3, 14, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "friday_evening", "monday_evening", "hours_between"),
    [
        # New York springs forward on Sunday 8 March 2026: the weekend is an hour shorter.
        (NEW_YORK, "2026-03-06 23:00:00+00:00", datetime(2026, 3, 9, 22, 0, tzinfo=UTC), 71),
        # ... and falls back on Sunday 1 November 2026: an hour longer.
        (NEW_YORK, "2026-10-30 22:00:00+00:00", datetime(2026, 11, 2, 23, 0, tzinfo=UTC), 73),
        # Berlin springs forward on Sunday 29 March 2026 and falls back on 25 October 2026.
        (BERLIN, "2026-03-27 17:00:00+00:00", datetime(2026, 3, 30, 16, 0, tzinfo=UTC), 71),
        (BERLIN, "2026-10-23 16:00:00+00:00", datetime(2026, 10, 26, 17, 0, tzinfo=UTC), 73),
    ],
)
def test_a_dst_weekend_keeps_the_local_wall_clock_time(
    tz: str, friday_evening: str, monday_evening: datetime, hours_between: int
) -> None:
    with freeze_time(friday_evening):
        ended = datetime.now(UTC)
    assert local(ended, tz).strftime("%a %H:%M") == "Fri 18:00"
    monday = add_business_days(ended, 1, tz)
    assert monday == monday_evening
    assert local(monday, tz).strftime("%a %H:%M") == "Mon 18:00"
    assert monday - ended == timedelta(hours=hours_between)
    assert business_days_between(ended, monday, tz) == 1
    assert business_days_between(ended, monday - timedelta(seconds=1), tz) == 0


def test_elapsed_business_days_tick_over_at_the_local_time_across_a_dst_weekend() -> None:
    """Walk the clock hour by hour from a Friday-evening interview in Berlin over the spring DST
    weekend: the count rises exactly when each business day's 18:00 Berlin time is reached."""
    with freeze_time("2026-03-27 17:00:00+00:00") as frozen:
        ended = datetime.now(UTC)
        seen: dict[int, datetime] = {}
        for _ in range(24 * 10):
            frozen.tick(timedelta(hours=1))
            now = datetime.now(UTC)
            seen.setdefault(business_days_between(ended, now, BERLIN), now)
    assert {n: local(t, BERLIN).strftime("%a %d %H:%M") for n, t in seen.items()} == {
        0: "Fri 27 19:00",
        1: "Mon 30 18:00",
        2: "Tue 31 18:00",
        3: "Wed 01 18:00",
        4: "Thu 02 18:00",
        5: "Fri 03 18:00",
        6: "Mon 06 18:00",
    }


def test_a_company_holiday_is_skipped() -> None:
    holidays = parse_holidays(["2026-12-25", "2027-01-01"])
    with freeze_time("2026-12-23 15:00:00+00:00"):  # Wednesday, 10:00 in New York
        ended = datetime.now(UTC)
    fifth = add_business_days(ended, 5, NEW_YORK, holidays)
    # Thu 24, (Fri 25 holiday), Mon 28, Tue 29, Wed 30, Thu 31.
    assert local(fifth, NEW_YORK).strftime("%a %Y-%m-%d %H:%M") == "Thu 2026-12-31 10:00"
    assert local(add_business_days(ended, 5, NEW_YORK), NEW_YORK).date() == date(2026, 12, 30)
    sixth = add_business_days(ended, 6, NEW_YORK, holidays)
    # The New Year's Day holiday and the weekend: the next business day is Monday 4 January.
    assert local(sixth, NEW_YORK).strftime("%a %Y-%m-%d %H:%M") == "Mon 2027-01-04 10:00"
    assert business_days_between(ended, sixth, NEW_YORK, holidays) == 6
    assert not is_business_day(date(2026, 12, 25), holidays)
    assert is_business_day(date(2026, 12, 25))


@pytest.mark.parametrize(
    ("now", "days", "expected_local"),
    [
        ("2026-02-27 17:00:00+00:00", 1, "Mon 2026-03-02 18:00"),  # February's end, a Friday
        ("2026-04-30 16:00:00+00:00", 2, "Mon 2026-05-04 18:00"),  # Thursday 30 April
        ("2026-07-31 16:00:00+00:00", 1, "Mon 2026-08-03 18:00"),  # Friday 31 July
        ("2026-12-30 17:00:00+00:00", 3, "Mon 2027-01-04 18:00"),  # across the year's end
    ],
)
def test_a_month_end_rolls_into_the_next_month(now: str, days: int, expected_local: str) -> None:
    with freeze_time(now):
        ended = datetime.now(UTC)
    moved = add_business_days(ended, days, BERLIN)
    assert local(moved, BERLIN).strftime("%a %Y-%m-%d %H:%M") == expected_local
    assert business_days_between(ended, moved, BERLIN) == days


def test_a_weekend_start_counts_from_monday() -> None:
    saturday = at(NEW_YORK, 2026, 3, 7, 10, 0)
    assert local(add_business_days(saturday, 1, NEW_YORK), NEW_YORK).strftime("%a %H:%M") == (
        "Mon 10:00"
    )
    assert next_business_day(date(2026, 3, 7)) == date(2026, 3, 9)
    assert next_business_day(date(2026, 3, 6)) == date(2026, 3, 9)


def test_a_wall_clock_time_skipped_by_dst_on_a_business_day_lands_just_after() -> None:
    # Cairo springs forward at midnight on Friday 24 April 2026: 00:30 does not exist that day.
    thursday = at("Africa/Cairo", 2026, 4, 23, 0, 30)
    friday = add_business_days(thursday, 1, "Africa/Cairo")
    assert local(friday, "Africa/Cairo").strftime("%a %H:%M %z") == "Fri 01:30 +0300"
    assert business_days_between(thursday, friday, "Africa/Cairo") == 1


def test_a_wall_clock_time_that_happens_twice_is_the_first() -> None:
    # Cairo falls back at midnight ending Thursday 29 October 2026: 23:30 happens twice.
    wednesday = at("Africa/Cairo", 2026, 10, 28, 23, 30)
    thursday = add_business_days(wednesday, 1, "Africa/Cairo")
    assert thursday == datetime(2026, 10, 29, 20, 30, tzinfo=UTC)  # 23:30 +03:00


def test_zero_days_is_the_start_and_bad_input_is_refused() -> None:
    start = at(BERLIN, 2026, 3, 27, 18, 0)
    assert add_business_days(start, 0, BERLIN) == start
    assert business_days_between(start, start - timedelta(days=3), BERLIN) == 0
    with pytest.raises(ValueError, match="aware"):
        add_business_days(datetime(2026, 3, 27, 18, 0), 1, BERLIN)
    with pytest.raises(ValueError, match="negative"):
        add_business_days(start, -1, BERLIN)
    with pytest.raises(ValueError, match="aware"):
        business_days_between(start, datetime(2026, 3, 30), BERLIN)


def test_between_is_the_inverse_of_add_over_a_year_of_starts() -> None:
    """For starts every 7 hours through 2026 in both zones (every weekday, evening and DST
    change), elapsed business days at each deadline and just before it match the count."""
    holidays = parse_holidays(["2026-05-01", "2026-12-25"])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for tz in (NEW_YORK, BERLIN):
        moment = start
        while moment.year == 2026:
            for days in (1, 3, 5, 10):
                deadline = add_business_days(moment, days, tz, holidays)
                assert local(deadline, tz).time() == local(moment, tz).time()
                assert business_days_between(moment, deadline, tz, holidays) == days
                before = deadline - timedelta(microseconds=1)
                assert business_days_between(moment, before, tz, holidays) == days - 1
            moment += timedelta(hours=7)
