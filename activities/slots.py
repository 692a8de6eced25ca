"""Booking and releasing interview slots. The database is the arbiter of contention between
contractors: a booking is one conditional UPDATE (`... WHERE status = 'open'`), so a slot is
booked at most once whatever the concurrency, and a retried booking recognises its own earlier
success. (One booking per contractor and round is the interview workflow's job: its claims are
serialised by a lock.)"""

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import BookSlotRequest, ReleaseSlotRequest
from domain.slots import MIN_NOTICE, is_bookable
from store.db import Database
from store.models import Slot
from workflows.contracts import Booking

SLOT_UNAVAILABLE = "SlotUnavailable"


def _refuse(reason: str) -> ApplicationError:
    return ApplicationError(reason, type=SLOT_UNAVAILABLE, non_retryable=True)


async def _release_strays(session: AsyncSession, request: BookSlotRequest) -> None:
    """Open again any other slot booked for this interview: a booking whose result was lost
    (the worker died before its workflow recorded it) while another claim of the same
    contractor won. An interview holds one slot, two only during a reschedule (`keep_slot_id`)."""
    kept = [request.slot_id, *([request.keep_slot_id] if request.keep_slot_id else [])]
    await session.exec(
        update(Slot)
        .where(Slot.interview_id == request.interview_id)  # type: ignore[arg-type]
        .where(Slot.status == "booked")  # type: ignore[arg-type]
        .where(col(Slot.id).not_in(kept))
        .values(status="open", interview_id=None, booked_at=None)
    )


class SlotActivities:
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.book_slot, self.release_slot]

    @activity.defn
    async def book_slot(self, request: BookSlotRequest) -> Booking:
        async with self.db.session() as session:
            won = (
                await session.exec(
                    update(Slot)
                    .where(Slot.id == request.slot_id)  # type: ignore[arg-type]
                    .where(Slot.job_post_id == request.job_post_id)  # type: ignore[arg-type]
                    .where(Slot.round == request.round)  # type: ignore[arg-type]
                    .where(Slot.status == "open")  # type: ignore[arg-type]
                    .where(Slot.start >= request.now + MIN_NOTICE)  # type: ignore[arg-type]
                    .values(
                        status="booked", interview_id=request.interview_id, booked_at=request.now
                    )
                    .returning(Slot.start, Slot.end)  # type: ignore[arg-type]
                )
            ).first()
            if won is not None:
                await _release_strays(session, request)
            await session.commit()
            if won is not None:
                return Booking(slot_id=request.slot_id, start=won[0], end=won[1])
            # Refused: read why (no lock needed), or recognise this claim's own earlier success.
            slot = await session.get(Slot, request.slot_id)
        if slot is None or slot.job_post_id != request.job_post_id:
            raise _refuse("no such slot for this job post")
        if slot.status == "booked" and slot.interview_id == request.interview_id:
            async with self.db.session() as session:
                await _release_strays(session, request)
                await session.commit()
            return Booking(slot_id=slot.id, start=slot.start, end=slot.end)
        if slot.round != request.round:
            raise _refuse(f"this slot is for round {slot.round}, not round {request.round}")
        if slot.status == "booked":
            raise _refuse("this slot was just taken by someone else")
        if slot.status == "withdrawn":
            raise _refuse("this slot was withdrawn by the client")
        if not is_bookable(slot.start, request.now):
            raise _refuse("this slot has expired: it starts in less than 2 hours")
        raise _refuse(f"this slot is {slot.status}")

    @activity.defn
    async def release_slot(self, request: ReleaseSlotRequest) -> None:
        """Give a booked slot back (open again, or withdrawn when the client took it away)."""
        async with self.db.session() as session:
            await session.exec(
                update(Slot)
                .where(Slot.id == request.slot_id)  # type: ignore[arg-type]
                .where(Slot.interview_id == request.interview_id)  # type: ignore[arg-type]
                .where(Slot.status == "booked")  # type: ignore[arg-type]
                .values(
                    status="open" if request.reopen else "withdrawn",
                    interview_id=None,
                    booked_at=None,
                )
            )
            await session.commit()
