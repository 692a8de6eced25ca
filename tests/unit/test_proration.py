"""The seat fee on acceptance: `round_half_up(fee × days_remaining / days_in_month)`, the acceptance
day included, counted in the client's billing zone. The clock is frozen at the acceptance instant
and read the way a caller reads it."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from domain.money import round_half_up
from domain.proration import monthly_seat_fee, prorated_seat_fee


def accepted_now(plan: str, tz: str) -> tuple[int, int, int, str]:
    proration = prorated_seat_fee(monthly_seat_fee(plan), datetime.now(UTC), tz)
    return (
        proration.cents,
        proration.days_remaining,
        proration.days_in_month,
        proration.billing_date.isoformat(),
    )


def test_plans_charge_240_and_180_dollars_a_month() -> None:
    assert monthly_seat_fee("standard") == 24000
    assert monthly_seat_fee("volume") == 18000
    with pytest.raises(ValueError):
        monthly_seat_fee("gold")


@freeze_time("2026-11-01T00:00:00Z")
def test_acceptance_on_the_first_charges_the_full_fee() -> None:
    assert accepted_now("standard", "UTC") == (24000, 30, 30, "2026-11-01")
    assert accepted_now("volume", "UTC") == (18000, 30, 30, "2026-11-01")


@freeze_time("2026-12-31T23:59:59Z")
def test_acceptance_on_the_last_day_charges_one_day() -> None:
    # 24000 × 1 / 31 = 774.19 -> 774; 18000 / 31 = 580.65 -> 581
    assert accepted_now("standard", "UTC") == (774, 1, 31, "2026-12-31")
    assert accepted_now("volume", "UTC") == (581, 1, 31, "2026-12-31")


@freeze_time("2026-11-21T15:00:00Z")
def test_acceptance_on_21_november_charges_10_of_30_days_8000_cents() -> None:
    assert accepted_now("standard", "UTC") == (8000, 10, 30, "2026-11-21")
    assert accepted_now("volume", "UTC") == (6000, 10, 30, "2026-11-21")


@freeze_time("2028-02-29T12:00:00Z")
def test_acceptance_on_29_february_2028_counts_a_29_day_month() -> None:
    # 24000 × 1 / 29 = 827.59 -> 828
    assert accepted_now("standard", "UTC") == (828, 1, 29, "2028-02-29")


@freeze_time("2027-02-28T12:00:00Z")
def test_acceptance_on_28_february_2027_is_the_last_day_of_a_28_day_month() -> None:
    # 24000 / 28 = 857.14 -> 857
    assert accepted_now("standard", "UTC") == (857, 1, 28, "2027-02-28")


@freeze_time("2026-11-30T23:30:00Z")
def test_the_billing_zone_decides_the_day_not_utc() -> None:
    # Still 30 November in UTC (1 of 30 days), already 1 December 12:30 in Auckland (31 of 31).
    assert accepted_now("standard", "UTC") == (800, 1, 30, "2026-11-30")
    assert accepted_now("standard", "Pacific/Auckland") == (24000, 31, 31, "2026-12-01")


@freeze_time("2026-12-01T05:00:00Z")
def test_a_zone_behind_utc_is_still_on_the_previous_month() -> None:
    # 1 December in UTC, 30 November 21:00 in Los Angeles: one day of November.
    assert accepted_now("standard", "America/Los_Angeles") == (800, 1, 30, "2026-11-30")
    assert accepted_now("standard", "UTC") == (24000, 31, 31, "2026-12-01")


@freeze_time("2026-11-16T10:00:00Z")
def test_proration_rounds_half_up() -> None:
    # 18000 × 15 / 30 = 9000 exactly; 24000 × 15 / 30 = 12000
    assert accepted_now("volume", "UTC")[0] == 9000
    # The rounding rule itself: halves go up, everything else to the nearest cent.
    assert round_half_up(1, 2) == 1
    assert round_half_up(3, 2) == 2
    assert round_half_up(5, 3) == 2
    assert round_half_up(4, 3) == 1
    assert round_half_up(-1, 2) == -1


def test_proration_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError):
        prorated_seat_fee(24000, datetime(2026, 11, 21, 12, 0), "UTC")
