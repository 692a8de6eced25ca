"""InterviewWorkflow: one round's interview of one candidacy (`interview-<job>-<contractor>-r<n>`).

The story: the contractor is asked to pick a time, claims an open slot (booked or refused at
once), the interview happens, and the client records the outcome.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import BookSlotRequest, ReleaseSlotRequest
    from activities.slots import SlotActivities
    from domain.errors import CONFLICT
    from workflows.common import notify, run_activity, wait_until
    from workflows.contracts import (
        Booking,
        ClaimRequest,
        InterviewResult,
        InterviewStart,
        InterviewState,
        InterviewStatus,
        Outcome,
        OutcomeKind,
    )

BOOK_TIMEOUT = timedelta(seconds=10)


@workflow.defn
class InterviewWorkflow:
    @workflow.init
    def __init__(self, start: InterviewStart) -> None:
        self.start = start
        self.state = InterviewState(
            interview_id=start.interview_id,
            candidacy_id=start.candidacy_id,
            job_post_id=start.job_post_id,
            contractor_id=start.contractor_id,
            round=start.round,
            kind=start.round_spec.kind.value,
            duration_minutes=start.round_spec.duration_minutes,
            status=InterviewStatus.AWAITING_SLOT,
            message=start.message,
        )
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: InterviewStart) -> InterviewResult:
        self._details()
        try:
            await self._tell(
                "interview_requested",
                [start.contractor_id],
                {"message": start.message, "round": start.round, "kind": self.state.kind},
            )
            await workflow.wait_condition(lambda: self.state.booking is not None)
            booking = self.state.booking
            assert booking is not None
            await self._tell(
                "interview_booked",
                [start.contractor_id, start.owner_id],
                {"start": booking.start, "end": booking.end, "round": start.round},
            )
            await wait_until(booking.end, lambda: False)
            self._set(InterviewStatus.AWAITING_OUTCOME)
            await workflow.wait_condition(lambda: self.state.outcome is not None)
        except asyncio.CancelledError:
            await self._release_on_cancel()
            raise
        await workflow.wait_condition(workflow.all_handlers_finished)
        return InterviewResult(
            interview_id=start.interview_id, status=self.state.status, outcome=self.state.outcome
        )

    @workflow.update
    async def claim(self, request: ClaimRequest) -> Booking:
        """Book one open slot of this round: the answer is immediate and final."""
        async with self.lock:
            self._check_claimable()
            try:
                booking: Booking = await workflow.execute_activity(
                    SlotActivities.book_slot,
                    BookSlotRequest(
                        slot_id=request.slot_id,
                        interview_id=self.start.interview_id,
                        job_post_id=self.start.job_post_id,
                        round=self.start.round,
                        now=workflow.now(),
                    ),
                    start_to_close_timeout=BOOK_TIMEOUT,
                )
            except ActivityError as error:
                cause = error.cause
                reason = cause.message if isinstance(cause, ApplicationError) else str(error)
                raise ApplicationError(reason, type=CONFLICT, non_retryable=True) from None
            self.state.booking = booking
            self._set(InterviewStatus.BOOKED)
            return booking

    @claim.validator
    def _check_claim(self, request: ClaimRequest) -> None:
        self._check_claimable()

    @workflow.update
    async def record_outcome(self, outcome: Outcome) -> InterviewState:
        self.state.outcome = outcome
        status = (
            InterviewStatus.COMPLETED
            if outcome.outcome == OutcomeKind.COMPLETED
            else InterviewStatus.NO_SHOW
        )
        self._set(status)
        return self.state

    @record_outcome.validator
    def _check_outcome(self, outcome: Outcome) -> None:
        if self.state.status != InterviewStatus.AWAITING_OUTCOME:
            if self.state.status == InterviewStatus.BOOKED:
                _conflict("the outcome can be recorded once the interview has ended")
            _conflict(f"no outcome is due; this interview is {self.state.status.value}")
        if outcome.outcome == OutcomeKind.NO_SHOW and outcome.no_show_side is None:
            raise ApplicationError(
                "no_show_side is required for a no-show (client or contractor)",
                type="Invalid",
                non_retryable=True,
            )
        if outcome.outcome == OutcomeKind.COMPLETED and outcome.no_show_side is not None:
            raise ApplicationError(
                "no_show_side is only for a no-show", type="Invalid", non_retryable=True
            )

    @workflow.query
    def status(self) -> InterviewState:
        return self.state

    def _check_claimable(self) -> None:
        if self.state.status != InterviewStatus.AWAITING_SLOT:
            _conflict(f"this interview is already {self.state.status.value}")

    def _set(self, status: InterviewStatus) -> None:
        self.state.status = status
        self._details()

    def _details(self) -> None:
        workflow.set_current_details(
            f"Round {self.start.round} ({self.state.kind}): {self.state.status.value}"
        )

    async def _release_on_cancel(self) -> None:
        booking = self.state.booking
        self._set(InterviewStatus.CANCELLED)
        if booking is None:
            return
        # The workflow is being cancelled: the release must still run to the end.
        await asyncio.shield(
            asyncio.ensure_future(
                run_activity(
                    SlotActivities.release_slot,
                    ReleaseSlotRequest(
                        slot_id=booking.slot_id, interview_id=self.start.interview_id
                    ),
                )
            )
        )

    async def _tell(self, template: str, recipients: list[str], context: dict[str, object]) -> None:
        await notify(
            event_key=f"{self.start.interview_id}:{template}",
            template=template,
            recipient_ids=recipients,
            context={
                "interview_id": self.start.interview_id,
                "job_post_id": self.start.job_post_id,
                "contractor_id": self.start.contractor_id,
                **context,
            },
            link=f"/interviews/{self.start.interview_id}",
        )


def _conflict(message: str) -> None:
    raise ApplicationError(message, type=CONFLICT, non_retryable=True)
