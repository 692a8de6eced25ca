"""Render a notification from its templates: subject, plain text and HTML (autoescaped)."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


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
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or tz)


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
    return env


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.txt"))


def render(name: str, context: dict[str, Any], tz: str) -> Rendered:
    """The subject is the first line of `<name>.txt`; the rest is the plain-text body."""
    env = environment()
    values = {**context, "tz": tz}
    text = env.get_template(f"{name}.txt").render(values)
    subject, _, body = text.partition("\n")
    html = env.get_template(f"{name}.html").render(values)
    return Rendered(subject=subject.strip(), text=body.strip() + "\n", html=html)
