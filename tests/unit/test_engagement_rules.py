"""The pure rules of an engagement: weeks from the start date in the billing zone, the 3-day review
window, the hours a week pays, and pay in integer cents rounded half up."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.money import format_cents, hundredths_of_hours, pay_cents
from domain.offers import OfferTerms, start_date_problems
from domain.weeks import Review, approved_hours, week, week_number_at


def test_weeks_run_seven_days_from_the_start_date_in_the_billing_zone() -> None:
    first = week(date(2026, 11, 30), 1, "America/New_York")
    assert first.first_day == date(2026, 11, 30)
    assert first.starts_at == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # local midnight
    assert first.ends_at == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    third = week(date(2026, 11, 30), 3, "America/New_York")
    assert third.first_day == date(2026, 12, 14)


def test_the_review_window_closes_3_days_after_the_week_ends() -> None:
    first = week(date(2026, 11, 30), 1, "UTC")
    assert first.review_until == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)


def test_the_review_window_keeps_local_time_across_a_dst_change() -> None:
    # The week ends at midnight EST on 8 March 2026; DST starts that night, and the review window
    # still closes at local midnight 3 days later (EDT, one hour earlier in UTC).
    crossing = week(date(2026, 3, 1), 1, "America/New_York")
    assert crossing.ends_at == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # midnight EST
    assert crossing.review_until == datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # midnight EDT


def test_an_ended_engagement_cuts_its_last_week_short() -> None:
    ended_at = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    last = week(date(2026, 11, 30), 1, "UTC", ended_at)
    assert last.ends_at == ended_at
    assert last.review_until == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_week_numbers_start_at_1_on_the_start_date() -> None:
    start = date(2026, 11, 30)
    assert week_number_at(start, datetime(2026, 11, 29, 23, 0, tzinfo=UTC), "UTC") == 0
    assert week_number_at(start, datetime(2026, 11, 30, 0, 0, tzinfo=UTC), "UTC") == 1
    assert week_number_at(start, datetime(2026, 12, 6, 23, 59, tzinfo=UTC), "UTC") == 1
    assert week_number_at(start, datetime(2026, 12, 7, 0, 0, tzinfo=UTC), "UTC") == 2


def test_hours_are_capped_at_the_schedule_unless_the_client_approves_more() -> None:
    scheduled = Decimal(20)
    assert approved_hours(Decimal(25), scheduled, Review.NONE) == Decimal(20)
    assert approved_hours(Decimal(25), scheduled, Review.APPROVED) == Decimal(25)
    assert approved_hours(Decimal(18), scheduled, Review.NONE) == Decimal(18)


def test_a_dispute_pays_the_corrected_hours() -> None:
    assert approved_hours(Decimal(20), Decimal(20), Review.DISPUTED, Decimal(15)) == Decimal(15)


def test_a_week_without_a_timesheet_pays_nothing() -> None:
    assert approved_hours(None, Decimal(20), Review.NONE) == Decimal(0)
    assert pay_cents(approved_hours(None, Decimal(20), Review.NONE), 4000) == 0


def test_pay_is_hours_times_rate_in_cents_rounded_half_up() -> None:
    assert pay_cents(Decimal(20), 4000) == 80000
    assert pay_cents(Decimal("10.5"), 4333) == 45497  # 45496.5 -> 45497
    assert pay_cents(Decimal("0.01"), 4333) == 43  # 43.33 -> 43
    assert pay_cents(Decimal("0.01"), 4350) == 44  # 43.5 -> 44
    assert pay_cents(Decimal("12.25"), 4333) == 53079  # 53079.25 -> 53079


def test_hours_are_counted_in_hundredths() -> None:
    assert hundredths_of_hours(Decimal("37.5")) == 3750
    with pytest.raises(ValueError):
        hundredths_of_hours(Decimal("1.005"))


def test_money_is_shown_in_dollars() -> None:
    assert format_cents(8000) == "$80.00"
    assert format_cents(123456) == "$1,234.56"
    assert format_cents(8000, "EUR") == "80.00 EUR"


def test_offer_terms_are_validated() -> None:
    terms = OfferTerms(
        hourly_rate_cents=4000,
        hours_per_week=Decimal(20),
        working_days=["fri", "mon"],  # type: ignore[list-item]
        start_date=date(2026, 12, 1),
    )
    assert [d.value for d in terms.working_days] == ["mon", "fri"]
    with pytest.raises(ValidationError):
        OfferTerms(
            hourly_rate_cents=0,
            hours_per_week=Decimal(81),
            working_days=[],
            start_date=date(2026, 12, 1),
        )
    assert start_date_problems(date(2026, 11, 20), date(2026, 11, 21)) == [
        "start_date 2026-11-20 is in the past"
    ]
    assert start_date_problems(date(2026, 11, 21), date(2026, 11, 21)) == []
