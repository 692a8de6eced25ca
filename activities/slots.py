"""An interview's own bookings and releases (a reschedule, a cancellation, its end) go through
the round's slot pool like every claim, so no path can disagree with it: these activities are
updates of the pool (`SlotPoolWorkflow`), started when it is not running."""

from typing import Any

from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.slot_pool import pool_start_of
from contracts import hiring as interface
from contracts.hiring import SLOT_UNAVAILABLE, Booking, BookSlotRequest, ReleaseSlotRequest
from contracts.slot_pool import SlotClaim, SlotRelease
from core.db import Database
from domain.ids import parse_interview_workflow_id
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import update_slot_pool


class SlotActivities(interface.SlotActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.book_slot, self.release_slot]

    @activity.defn
    async def book_slot(self, request: BookSlotRequest) -> Booking:
        """Book a slot for the interview (moving it from `keep_slot_id` in the same step); a
        refusal is an expected answer, not a failure of the activity."""
        start = await pool_start_of(self.db, request.job_post_id, request.round)
        claim = SlotClaim(
            interview_id=request.interview_id,
            slot_id=request.slot_id,
            keep_slot_id=request.keep_slot_id,
            by_interview=True,
        )
        try:
            booking = await update_slot_pool(
                activity.client(), activity.info().task_queue, start, SlotPoolWorkflow.claim, claim
            )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(error)
            raise ApplicationError(
                reason,
                type=SLOT_UNAVAILABLE,
                non_retryable=True,
                category=ApplicationErrorCategory.BENIGN,
            ) from None
        return booking

    @activity.defn
    async def release_slot(self, request: ReleaseSlotRequest) -> None:
        """Give a booked slot back (open again, or withdrawn when the client took it away)."""
        parsed = parse_interview_workflow_id(request.interview_id)
        if parsed is None:
            raise ValueError(f"not an interview id: {request.interview_id}")
        job_post_id, contractor_id, round_number = parsed
        start = await pool_start_of(self.db, job_post_id, round_number)
        release = SlotRelease(
            interview_id=request.interview_id,
            slot_id=request.slot_id,
            reopen=request.reopen,
            waiting=request.waiting,
            contractor_id=contractor_id,
        )
        await update_slot_pool(
            activity.client(), activity.info().task_queue, start, SlotPoolWorkflow.release, release
        )
