"""An interview's booking: claims (here or through the round's slot pool), cancellations and
moves, as InterviewWorkflow's handlers make them.

Changing the booking from a handler: under the lock, book or release slots with the slot
activities, change the state and put the change in `outbox` (the story announces it). Every
change after the first booking raises the calendar invite's SEQUENCE; a booking's reminders are
dropped with it. The slot pool is told whether this interview waits for a slot."""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import (
        SLOT_UNAVAILABLE,
        Booking,
        BookingCancellation,
        BookingMove,
        BookSlotRequest,
        CancelRequest,
        ClaimRequest,
        InterviewState,
        InterviewStatus,
        PoolMember,
        ReleaseSlotRequest,
        RescheduleRequest,
        Side,
        SlotActivities,
    )
    from contracts.notify import CancelNotifications, NotifyActivities
    from contracts.slot_pool import (
        CONTRACTOR_WAITING,
        SlotBooked,
        SlotPoolActivities,
        SlotPoolNotice,
    )
    from domain.errors import CONFLICT
    from domain.interviews import (
        CONTRACTOR_RESCHEDULES_PER_ROUND,
        contractor_reschedules_left,
        has_started,
        is_late_cancellation,
    )
    from domain.masking import mask_contact_details
    from domain.slots import is_bookable
    from workflows.claimable import claim_refusal
    from workflows.common import run_activity
    from workflows.interview.base import InterviewBase
    from workflows.interview.notices import Booked, Cancelled, RequestCancelled
    from workflows.interview.patches import CANCEL_NOTIFICATIONS_PATCH
    from workflows.interview.stopping import REQUEST_CANCELLED, Stoppable
    from workflows.policies import ATTENDED
    from workflows.refusals import conflict, invalid

BOOK_TIMEOUT = timedelta(seconds=10)
BOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2)
)
UNAVAILABLE = "Unavailable"  # the booking could not be decided now: 503, try again
TAKEN_PLACE = (InterviewStatus.AWAITING_OUTCOME, InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW)


class Scheduling(Stoppable, InterviewBase):
    # --- what the handlers do -----------------------------------------------------------------

    async def _claim(self, request: ClaimRequest) -> Booking:
        async with self.lock:
            held = self.state.booking
            if held is not None and held.slot_id == request.slot_id:
                return held  # the same claim again
            self._check_claimable()
            booking = await self._book(request.slot_id)
            self._take(booking, workflow.now())
            return booking

    async def _take_from_pool(self, booked: SlotBooked) -> None:
        async with self.lock:
            held = self.state.booking
            if held is not None and held.slot_id == booked.slot_id:
                self.slots_seen.add(booked.slot_id)
                return  # told again
            takes = (
                held is None
                and self.state.status == InterviewStatus.AWAITING_SLOT
                and self.stopping is None
            )
            if takes:
                booking = Booking(slot_id=booked.slot_id, start=booked.start, end=booked.end)
                self._take(booking, booked.booked_at)
                self.slots_seen.add(booked.slot_id)
                self.in_pool = False  # the pool no longer counts it as waiting: nothing to tell
                if booked.candidacy_told and self.parent_told == self.parent_knows:
                    # The pool told the candidacy (no signal of ours under way): it knows the
                    # booking (where it reads bookings itself, the courier takes it back out).
                    told = (InterviewStatus.BOOKED.value, booking.start, booking.end)
                    self.parent_told = self.parent_knows = told
                return
        if booked.candidacy_told:
            self.parent_told = None  # the candidacy heard of a booking not taken: tell it again
        await run_activity(
            SlotActivities.release_slot,
            ReleaseSlotRequest(slot_id=booked.slot_id, interview_id=self.start.interview_id),
            ATTENDED,
        )
        self.slots_seen.add(booked.slot_id)

    async def _cancel(self, request: CancelRequest) -> InterviewState:
        async with self.lock:
            self._check_cancellable(request)
            release = None
            if self.state.booking is not None:
                release = self._drop_booking(
                    cause="request_cancelled" if request.cancel_request else "cancelled",
                    side=request.side,
                    by=request.by,
                    reason=request.reason,
                    reopen=not request.withdraw_slot,
                )
            elif request.cancel_request:
                self.outbox.append(
                    RequestCancelled(request.by, mask_contact_details(request.reason))
                )
            if request.cancel_request:
                self._stop(REQUEST_CANCELLED)
                self._set(InterviewStatus.CANCELLED)
            else:
                self._set(InterviewStatus.AWAITING_SLOT)
            if release is not None:
                await self._release(*release)
            return self.state

    def _check_cancellable(self, request: CancelRequest) -> None:
        if not request.reason.strip():
            invalid("a reason is required to cancel")
        if request.side != Side.CLIENT and (request.withdraw_slot or request.cancel_request):
            invalid("only the client can withdraw the slot or cancel the request")
        status = self.state.status
        booking = self.state.booking
        if status == InterviewStatus.CANCELLED:
            conflict("this interview is already cancelled")
        if status in TAKEN_PLACE:
            conflict(f"the interview has already taken place; it is {status.value}")
        if booking is not None and has_started(booking.start, workflow.now()):
            conflict("the interview has started: it can no longer be cancelled")
        if not request.cancel_request and (booking is None or status != InterviewStatus.BOOKED):
            conflict(f"nothing is booked to cancel; this interview is {status.value}")

    async def _move(self, request: RescheduleRequest) -> InterviewState:
        async with self.lock:
            self._check_movable(request)
            old = self.state.booking
            assert old is not None
            old_key = self._booking_key(self.state.sequence)
            new = await self._book(request.slot_id, keep_slot_id=old.slot_id)
            now = workflow.now()
            if has_started(old.start, now):  # it started while the new slot was being booked
                await self._release(new.slot_id, True, None)
                conflict("the interview has started: it can no longer be moved")
            self._change_booking(new)
            self.state.booked_at = now
            move = BookingMove(
                side=request.side,
                by=request.by,
                reason=_masked(request.reason),
                at=now,
                from_slot_id=old.slot_id,
                from_start=old.start,
                to_slot_id=new.slot_id,
                to_start=new.start,
                sequence=self.state.sequence,
            )
            self.state.reschedules.append(move)
            if request.side == Side.CONTRACTOR:
                self.contractor_moves += 1
                self.state.contractor_reschedules_left = contractor_reschedules_left(
                    self.contractor_moves
                )
            self.outbox.append(Booked(new, self.state.sequence, move))
            await self._release(old.slot_id, True, old_key)
            return self.state

    def _check_movable(self, request: RescheduleRequest) -> None:
        status = self.state.status
        booking = self.state.booking
        if status in TAKEN_PLACE:
            conflict(f"the interview has already taken place; it is {status.value}")
        if booking is None or status != InterviewStatus.BOOKED:
            conflict(f"nothing is booked to move (claim a slot); this interview is {status.value}")
        if has_started(booking.start, workflow.now()):
            conflict("the interview has started: it can no longer be moved")
        if request.slot_id == booking.slot_id:
            conflict("the interview is already booked in this slot")
        if request.side == Side.CONTRACTOR and self.state.contractor_reschedules_left == 0:
            conflict(
                f"this interview was moved {CONTRACTOR_RESCHEDULES_PER_ROUND} times by the "
                "contractor: only the client can reschedule now"
            )

    def _check_claimable(self) -> None:
        refusal = claim_refusal(self.state.status)
        if refusal is not None:
            conflict(refusal)

    # --- bookkeeping ------------------------------------------------------------------------

    async def _book(self, slot_id: str, keep_slot_id: str | None = None) -> Booking:
        try:
            booking: Booking = await workflow.execute_local_activity_method(
                SlotActivities.book_slot,
                BookSlotRequest(
                    slot_id=slot_id,
                    interview_id=self.start.interview_id,
                    job_post_id=self.start.job_post_id,
                    round=self.start.round,
                    now=workflow.now(),
                    keep_slot_id=keep_slot_id,
                ),
                schedule_to_close_timeout=BOOK_TIMEOUT,
                retry_policy=BOOK_RETRY,
            )
            return booking
        except ActivityError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.type == SLOT_UNAVAILABLE:
                raise ApplicationError(cause.message, type=CONFLICT, non_retryable=True) from None
        # Whether the row changed is unknown: give back whatever this attempt may have taken.
        await run_activity(
            SlotActivities.release_slot,
            ReleaseSlotRequest(slot_id=slot_id, interview_id=self.start.interview_id),
        )
        raise ApplicationError(
            "the booking could not be completed right now; please try again",
            type=UNAVAILABLE,
            non_retryable=True,
        )

    def _take(self, booking: Booking, booked_at: datetime | None) -> None:
        """A claim booked `booking`: the round is booked, its invite queued."""
        if self.one_upsert_per_booking:
            self.state.status = InterviewStatus.BOOKED  # upserted with the booking's start
        self._change_booking(booking)
        self.state.booked_at = booked_at
        self._set(InterviewStatus.BOOKED)
        self.outbox.append(Booked(booking, self.state.sequence))

    def _change_booking(self, new: Booking | None) -> None:
        """Every change after the first booking raises the invite's SEQUENCE."""
        if self.booking_changes > 0:
            self.state.sequence += 1
        self.booking_changes += 1
        if new is None:
            self.state.cancelled_booking = self.state.booking
        self.state.booking = new
        self._details()

    def _drop_booking(
        self,
        *,
        cause: str,
        reopen: bool,
        side: Side | None = None,
        by: str | None = None,
        reason: str | None = None,
    ) -> tuple[str, bool, str]:
        """Cancel the booking in the state (at once, so that every later validator sees it)
        and queue its announcement; answers what `_release` then gives back."""
        booking = self.state.booking
        assert booking is not None
        old_key = self._booking_key(self.state.sequence)
        now = workflow.now()
        self._change_booking(None)
        record = BookingCancellation(
            cause=cause,
            side=side,
            by=by,
            reason=_masked(reason),
            at=now,
            slot_id=booking.slot_id,
            start=booking.start,
            end=booking.end,
            late=is_late_cancellation(booking.start, now),
            slot_reopened=reopen and is_bookable(booking.start, now),
            sequence=self.state.sequence,
        )
        self.state.cancellations.append(record)
        self.outbox.append(Cancelled(booking, record))
        return booking.slot_id, reopen, old_key

    async def _release(self, slot_id: str, reopen: bool, booking_key: str | None) -> None:
        """Drop what was still to be sent about a booking (its reminders' retries), then give
        its slot back: open again, or withdrawn."""
        if booking_key is not None and workflow.patched(CANCEL_NOTIFICATIONS_PATCH):
            await run_activity(
                NotifyActivities.cancel_notifications,
                CancelNotifications(subject_id=booking_key, reason="booking changed"),
            )
        await run_activity(
            SlotActivities.release_slot,
            ReleaseSlotRequest(
                slot_id=slot_id,
                interview_id=self.start.interview_id,
                reopen=reopen,
                waiting=self.state.status == InterviewStatus.AWAITING_SLOT,
            ),
        )

    def _booking_key(self, sequence: int) -> str:
        """What a booking's reminders are about: cancelled with the booking."""
        return f"{self.start.interview_id}:booking-{sequence}"

    # --- telling the slot pool ----------------------------------------------------------------

    async def _tell_pool(self, signal: str) -> None:
        waiting = signal == CONTRACTOR_WAITING
        if waiting == self.in_pool:
            return
        self.in_pool = waiting
        await self._notify_pool(signal)

    async def _notify_pool(self, signal: str) -> None:
        member = PoolMember(
            interview_id=self.start.interview_id, contractor_id=self.start.contractor_id
        )
        await run_activity(
            SlotPoolActivities.tell_slot_pool,
            SlotPoolNotice(
                job_post_id=self.start.job_post_id,
                round=self.start.round,
                owner_id=self.start.owner_id,
                company_id=self.start.company_id,
                signal=signal,
                payload=member.model_dump(mode="json"),
            ),
        )


def _masked(reason: str | None) -> str | None:
    """One side's words, read by the other before any hire: contact details hidden."""
    return mask_contact_details(reason) if reason else reason
