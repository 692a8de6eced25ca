"""Render a notification from its templates: subject, plain text and HTML (autoescaped)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
# Templates that only serve as a frame for others, never sent on their own.
LAYOUTS = frozenset({"base"})

_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _localtime(value: Any, tz: str) -> str:
    """An instant shown in the reader's zone, e.g. 'Tue 24 Nov 2026, 14:30 CET'."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    if moment.tzinfo is None:  # the store and workflows hand out UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or tz)


def _day(value: Any) -> str:
    """A calendar date, e.g. 'Mon 30 Nov 2026' (dates have no zone to convert)."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return value.strftime("%a %d %b %Y")


def _money(cents: Any, currency: str = "USD") -> str:
    """Integer cents shown as money, e.g. 120000 -> '$1,200.00'."""
    amount = (Decimal(int(cents)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = _CURRENCY_SIGNS.get(currency)
    return f"{sign}{amount:,}" if sign else f"{amount:,} {currency}"


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["localtime"] = _localtime
    env.filters["day"] = _day
    env.filters["money"] = _money
    return env


def template_names() -> list[str]:
    """Every notification that can be sent: each has `<name>.txt` (and `<name>.html`)."""
    names = {p.stem for p in TEMPLATES.glob("*.txt")} | {p.stem for p in TEMPLATES.glob("*.html")}
    return sorted(names - LAYOUTS)


def render(name: str, context: dict[str, Any], tz: str) -> Rendered:
    """The subject is the first line of `<name>.txt`; the rest is the plain-text body."""
    env = environment()
    values = {**context, "tz": tz}
    text = env.get_template(f"{name}.txt").render(values)
    subject, _, body = text.partition("\n")
    html = env.get_template(f"{name}.html").render(values)
    # A subject is one header line: never let a value fold or inject another header.
    subject = " ".join(subject.split())
    return Rendered(subject=subject, text=body.strip() + "\n", html=html)
