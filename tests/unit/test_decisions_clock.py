"""The decision clock's rule: reminders to the client at 3 and 5 business days after the
interview's end and every business day after until the decision, the contractor's "still under
review" update at 5, in the client's time zone with its holidays."""

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from domain.business_days import parse_holidays
from domain.decision_clock import contractor_update_at, decision_clock, ticks_from
from domain.stages import Stage
from domain.status_text import candidacy_status_text

NEW_YORK = "America/New_York"


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(NEW_YORK)).strftime("%a %Y-%m-%d %H:%M")


def test_decision_reminders_at_3_and_5_business_days_then_daily_until_decided() -> None:
    with freeze_time("2026-11-20 23:00:00+00:00"):  # Friday 20 November, 18:00 in New York
        ended = datetime.now(UTC)
    ticks = list(islice(decision_clock(ended, NEW_YORK), 7))
    assert [(t.business_days, _local(t.at)) for t in ticks if t.remind_client] == [
        (3, "Wed 2026-11-25 18:00"),
        (5, "Fri 2026-11-27 18:00"),
        (6, "Mon 2026-11-30 18:00"),
        (7, "Tue 2026-12-01 18:00"),
        (8, "Wed 2026-12-02 18:00"),
        (9, "Thu 2026-12-03 18:00"),
        (10, "Fri 2026-12-04 18:00"),
    ]
    assert [(t.business_days, _local(t.at)) for t in ticks if t.update_contractor] == [
        (5, "Fri 2026-11-27 18:00")
    ]
    assert contractor_update_at(ended, NEW_YORK) == ticks[1].at
    # No end of its own: a month later it is still reminding, every business day.
    later = list(islice(decision_clock(ended, NEW_YORK), 21, 23))
    assert [(t.business_days, _local(t.at)) for t in later] == [
        (25, "Fri 2026-12-25 18:00"),
        (26, "Mon 2026-12-28 18:00"),
    ]


def test_decision_clock_skips_company_holidays() -> None:
    ended = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    holidays = parse_holidays(["2026-11-26", "2026-11-27"])  # Thanksgiving and the day after
    ticks = list(islice(decision_clock(ended, NEW_YORK, holidays), 3))
    assert [_local(t.at)[:14] for t in ticks[:3]] == [
        "Wed 2026-11-25",  # 3: Mon 23, Tue 24, Wed 25
        "Tue 2026-12-01",  # 5: Thanksgiving and Friday skipped, Mon 30, Tue 1
        "Wed 2026-12-02",
    ]


def test_a_late_outcome_skips_passed_client_reminders_and_updates_the_contractor_at_once() -> None:
    ended = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    ticks = list(islice(decision_clock(ended, NEW_YORK), 7))
    assert list(ticks_from(ticks, ended + timedelta(minutes=5))) == ticks
    # Recorded on Thursday: the 3-day reminder is past and not sent; the rest stands.
    thursday = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert [t.business_days for t in ticks_from(ticks, thursday)] == [5, 6, 7, 8, 9, 10]
    # Recorded the next Tuesday morning: the contractor hears at once, the client that evening.
    tuesday = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    late = list(ticks_from(ticks, tuesday))
    assert (late[0].at, late[0].update_contractor, late[0].remind_client) == (tuesday, True, False)
    assert [t.business_days for t in late[1:]] == [7, 8, 9, 10]


def test_status_text_shows_where_the_contractor_stands() -> None:
    pending = candidacy_status_text(Stage.DECISION_PENDING, 1, 3)
    assert pending.startswith("Round 1 of 3 is done.")
    assert "3 to 5 business days" in pending
    assert "on hold" in candidacy_status_text(Stage.DECISION_PENDING, 1, 3, on_hold=True)
    assert candidacy_status_text(Stage.INTERVIEWING, 2, 3) == "Interviewing: round 2 of 3."
    assert "not to move forward" in candidacy_status_text(Stage.REJECTED, 2, 3)
    for stage in Stage:
        assert candidacy_status_text(stage, 1, 3)
