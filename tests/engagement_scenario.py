"""One engagement over ten weeks and three month boundaries, driven through the API: the scenario
and the exact ledger it must write. Shared by the time-skipping test and the restart test.

The client (standard plan, billing zone New York) sends an offer on 20 November; the contractor
accepts on 21 November: 10 of 30 days of $240 = $80.00. Work starts Monday 29 November, 20 hours a
week at $40.00. Week 2 goes over the schedule without approval (paid up to the schedule), week 3 is
disputed down to 15 hours, week 4 goes over with approval, week 5 has no timesheet, the rate moves
to $43.33 from week 7 (asked during week 6), and the client ends the engagement on the last day of
week 10 at noon. Fees on 1 December, 1 January and 1 February; none on 1 March.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.money import pay_cents

BILLING_TZ = "America/New_York"
RATE = 4000
NEW_RATE = 4333
SCHEDULE = Decimal(20)


def ny(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A New York wall-clock moment, in UTC."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(BILLING_TZ)).astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    """The scenario's dates in year `year` (November) and `year + 1` (January to March)."""

    year: int

    def nov(self, day: int) -> date:
        return date(self.year, 11, day)

    def dec(self, day: int) -> date:
        return date(self.year, 12, day)

    def jan(self, day: int) -> date:
        return date(self.year + 1, 1, day)

    def feb(self, day: int) -> date:
        return date(self.year + 1, 2, day)

    def mar(self, day: int) -> date:
        return date(self.year + 1, 3, day)

    @property
    def accepted_at(self) -> datetime:
        return ny(self.nov(21), 10)

    @property
    def start_date(self) -> date:
        return self.nov(29)

    @property
    def ended_at(self) -> datetime:
        return ny(self.feb(6), 12)

    def week_first_day(self, week: int) -> date:
        return self.start_date + timedelta(days=7 * (week - 1))


# week -> (hours submitted or None, review: "approve" | ("dispute", corrected) | None)
TIMESHEETS: dict[int, tuple[Decimal | None, object]] = {
    1: (Decimal(20), None),
    2: (Decimal(25), None),  # over the schedule, not approved: capped at 20
    3: (Decimal(20), ("dispute", Decimal(15))),
    4: (Decimal(25), "approve"),  # over the schedule, approved: 25 paid
    5: (None, None),  # no timesheet: nothing paid, a reminder
    6: (Decimal("18.5"), None),
    7: (Decimal("10.5"), None),  # at $43.33: 45496.5 -> 45497
    8: (Decimal(20), None),
    9: (Decimal("12.25"), None),  # 53079.25 -> 53079
    10: (Decimal(8), None),  # the last week, cut short by the end
}
PAID_HOURS = {
    1: Decimal(20),
    2: Decimal(20),
    3: Decimal(15),
    4: Decimal(25),
    6: Decimal("18.5"),
    7: Decimal("10.5"),
    8: Decimal(20),
    9: Decimal("12.25"),
    10: Decimal(8),
}


def rate_of(week: int) -> int:
    return NEW_RATE if week >= 7 else RATE


def expected_ledger(cal: Calendar) -> list[tuple[str, str, str, int]]:
    """(kind, period, effective_on, amount_cents) in ledger order: by date, fees first."""
    payout_days = {
        1: cal.dec(9),
        2: cal.dec(16),
        3: cal.dec(23),
        4: cal.dec(30),
        6: cal.jan(13),
        7: cal.jan(20),
        8: cal.jan(27),
        9: cal.feb(3),
        10: cal.feb(9),  # 3 days after the end at noon
    }
    rows = [
        ("seat_fee", f"{cal.year}-11", cal.nov(21).isoformat(), 8000),
        ("seat_fee", f"{cal.year}-12", cal.dec(1).isoformat(), 24000),
        ("seat_fee", f"{cal.year + 1}-01", cal.jan(1).isoformat(), 24000),
        ("seat_fee", f"{cal.year + 1}-02", cal.feb(1).isoformat(), 24000),
    ]
    rows += [
        ("payout", f"week-{week}", day.isoformat(), pay_cents(PAID_HOURS[week], rate_of(week)))
        for week, day in payout_days.items()
    ]
    return sorted(rows, key=lambda r: (r[2], r[0] != "seat_fee", r[1]))


EXPECTED_PAYOUTS = {
    1: 80000,
    2: 80000,
    3: 60000,
    4: 100000,
    6: 74000,
    7: 45497,
    8: 86660,
    9: 53079,
    10: 34664,
}
