"""Money in integer cents, and the one rounding rule: half up (0.5 cent and more goes up)."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

HOURS_PLACES = 2  # hours are worked and paid in hundredths of an hour


def _hours_json(hours: Decimal) -> int | float:
    """A JSON number as it was sent: 40 stays 40 (not 40.0), 7.5 stays 7.5 (at most two
    decimals, so a float is exact enough)."""
    if hours == hours.to_integral_value():
        return int(hours)
    return float(hours)


HOURS_JSON = PlainSerializer(_hours_json, return_type=int | float, when_used="json")

# Hours worked in a week, in hundredths at most: a JSON number in the API, a Decimal in the code.
Hours = Annotated[Decimal, Field(ge=0, le=7 * 24, decimal_places=HOURS_PLACES), HOURS_JSON]


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator < 0:
        return -round_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def hundredths_of_hours(hours: Decimal) -> int:
    """37.5 h -> 3750; more precision than hundredths is an error, not a rounding."""
    scaled = hours * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"hours are counted in hundredths, got {hours}")
    return int(scaled)


def pay_cents(hours: Decimal, rate_cents: int) -> int:
    """hours × hourly rate, in integer cents, rounded half up (10.5 h × 4333 = 45497)."""
    return round_half_up(hundredths_of_hours(hours) * rate_cents, 100)


def format_cents(cents: int, currency: str = "USD") -> str:
    """8000 -> "$80.00" (other currencies: "80.00 EUR")."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    amount = f"{whole:,}.{part:02d}"
    return f"{sign}${amount}" if currency == "USD" else f"{sign}{amount} {currency}"
