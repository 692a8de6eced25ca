"""Interview slot rules (PRODUCT.md, "Interview slots and scheduling")."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SlotStatus(StrEnum):
    """A slot's status, in the pool's state and on its row."""

    OPEN = "open"
    BOOKED = "booked"
    WITHDRAWN = "withdrawn"


MIN_NOTICE = timedelta(hours=2)
MAX_AHEAD = timedelta(days=60)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime, duration_minutes: int) -> "Window":
        return cls(start, start + timedelta(minutes=duration_minutes))

    def overlaps(self, other: "Window") -> bool:
        return self.start < other.end and other.start < self.end


def slot_problems(
    proposed: list[Window],
    existing: list[Window],
    allowed_durations: tuple[int, ...],
    now: datetime,
) -> list[str]:
    """Every broken rule, each naming the slot (by its position in the request) and the rule."""
    problems: list[str] = []
    for index, slot in enumerate(proposed):
        name = f"slots[{index}] ({slot.start.isoformat()})"
        if slot.start.tzinfo is None:
            problems.append(f"{name}: start needs a time zone offset")
            continue
        minutes = int((slot.end - slot.start).total_seconds() // 60)
        if minutes not in allowed_durations:
            choices = ", ".join(str(d) for d in allowed_durations)
            problems.append(f"{name}: duration must be one of {choices} minutes for this round")
        if slot.start < now + MIN_NOTICE:
            problems.append(f"{name}: must start at least 2 hours from now (minimum notice)")
        if slot.start > now + MAX_AHEAD:
            problems.append(f"{name}: must start at most 60 days from now")
        if any(slot.overlaps(other) for other in existing):
            problems.append(f"{name}: overlaps another open or booked slot of this job post")
        if any(slot.overlaps(other) for other in proposed[:index]):
            problems.append(f"{name}: overlaps another slot in this request")
    return problems


def is_bookable(start: datetime, now: datetime) -> bool:
    """An open slot can still be claimed while it is at least the minimum notice away."""
    return start >= now + MIN_NOTICE


def expires_at(start: datetime) -> datetime:
    return start - MIN_NOTICE


def blocks_new_slots(status: str, start: datetime, now: datetime) -> bool:
    """Booked slots and still bookable open slots are taken; an expired open slot is not."""
    return status == SlotStatus.BOOKED or (status == SlotStatus.OPEN and is_bookable(start, now))
