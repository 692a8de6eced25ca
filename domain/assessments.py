"""Take-home assessments (PRODUCT.md, "Take-home assessment")."""

from datetime import datetime, timedelta

REMINDER_BEFORE_DUE = timedelta(hours=24)
MAX_EXTENSION_AHEAD = timedelta(days=60)


def due_at(sent_at: datetime, due_days: int) -> datetime:
    return sent_at + timedelta(days=due_days)


def reminder_at(due: datetime) -> datetime:
    return due - REMINDER_BEFORE_DUE


def extension_problem(new_due: datetime, now: datetime) -> str | None:
    """Why a new due date is not acceptable, or None."""
    if new_due.tzinfo is None:
        return "due_at needs a time zone offset"
    if new_due <= now:
        return "the new due date must be in the future"
    if new_due > now + MAX_EXTENSION_AHEAD:
        return "the new due date must be at most 60 days from now"
    return None
