"""InterviewWorkflow: one round's interview of one candidacy (`interview-<job>-<contractor>-r<n>`).

The story: when the round has a take-home assessment it is sent first, due in N days (reminder
24 h before; overdue, the client is told and extends, advances anyway or rejects), and the
interview becomes bookable once it is submitted. The contractor then claims an open slot: booked
or refused at once. Booked, both sides get a calendar invite and reminders 24 h and 1 h before;
any change of the booking (cancelled, moved) stops the old booking's timers and sends calendars
the change with a higher SEQUENCE. After the end the client records the outcome, reminded 1 h
after the end and then daily for up to 5 business days; a completed interview nudges the
contractor to thank the interviewer in the chat.

Changing the booking from a handler: release or book slots with the slot activities, then call
`_change_booking(new or None)`; the main loop sends the calendars REQUEST or CANCEL, restarts
the reminders and, after a cancellation, waits for a new claim.
"""

import asyncio
from collections.abc import Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        BookSlotRequest,
        InviteRequest,
        ReleaseSlotRequest,
        SlotPoolNotice,
    )
    from activities.invites import CANCEL, REQUEST, InviteActivities
    from activities.slot_pool import CONTRACTOR_LEFT, CONTRACTOR_WAITING, SlotPoolActivities
    from activities.slots import SLOT_UNAVAILABLE, SlotActivities
    from domain.assessments import due_at, extension_problem, reminder_at
    from domain.errors import CONFLICT, INVALID
    from domain.interviews import (
        THANK_INTERVIEWER_WITHIN,
        outcome_reminder_times,
        reminder_times,
    )
    from domain.plans import Assessment
    from workflows.common import notify, run_activity, wait_until
    from workflows.contracts import (
        AssessmentExtension,
        AssessmentState,
        AssessmentSubmission,
        Booking,
        ClaimRequest,
        InterviewRef,
        InterviewResult,
        InterviewStart,
        InterviewState,
        InterviewStatus,
        Outcome,
        OutcomeKind,
        PoolMember,
    )

BOOK_TIMEOUT = timedelta(seconds=10)
BOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2)
)
UNAVAILABLE = "Unavailable"  # the booking could not be decided now: 503, try again
PARENT_SIGNAL = "interview_changed"
ASSESSMENT_STATUSES = (InterviewStatus.AWAITING_ASSESSMENT, InterviewStatus.ASSESSMENT_OVERDUE)


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
            status=(
                InterviewStatus.AWAITING_ASSESSMENT
                if start.round_spec.assessment is not None
                else InterviewStatus.AWAITING_SLOT
            ),
            message=start.message,
        )
        self.client_side = list(dict.fromkeys([start.owner_id, *start.panel]))
        self.lock = asyncio.Lock()
        self.booking_changes = 0
        self.assessment_version = 0  # raised by every extension
        self.in_pool = False
        self.calendars_hold: Booking | None = None  # what the last invite sent put in calendars
        self.parent_told: tuple[Any, ...] | None = None

    @workflow.run
    async def run(self, start: InterviewStart) -> InterviewResult:
        self._details()
        try:
            if start.round_spec.assessment is not None:
                await self._take_home(start.round_spec.assessment)
            await self._tell(
                "interview_requested", [start.contractor_id], {"message": start.message}
            )
            booking = await self._schedule()
            await self._await_outcome(booking)
        except BaseException as error:
            # Cancelled in a timer: CancelledError; in an activity: ActivityError wrapping it.
            if is_cancelled_exception(error):
                await _to_the_end(self._wind_down())
            raise
        await workflow.wait_condition(workflow.all_handlers_finished)
        return InterviewResult(
            interview_id=start.interview_id,
            status=self.state.status,
            outcome=self.state.outcome,
            booking=self.state.booking,
        )

    # --- the steps of the story -------------------------------------------------------------

    async def _take_home(self, spec: Assessment) -> None:
        sent = workflow.now()
        assessment = AssessmentState(
            instructions=spec.instructions, sent_at=sent, due_at=due_at(sent, spec.due_days)
        )
        self.state.assessment = assessment
        await self._tell_parent()
        await self._tell(
            "assessment_assigned",
            [self.start.contractor_id],
            {
                "instructions": spec.instructions,
                "due_at": assessment.due_at,
                "message": self.start.message,
            },
        )
        told_extension = 0
        while not self._assessment_settled():
            version = self.assessment_version
            due = assessment.due_at
            await self._tell_parent()
            if version > told_extension:
                told_extension = version
                await self._tell(
                    "assessment_extended",
                    [self.start.contractor_id],
                    {"due_at": due},
                    event=f"assessment-extended-{version}",
                )

            def moved(version: int = version) -> bool:
                return self._assessment_settled() or self.assessment_version != version

            remind = reminder_at(due)
            if remind > workflow.now():
                if await wait_until(remind, moved):
                    continue
                await self._tell(
                    "assessment_reminder",
                    [self.start.contractor_id],
                    {"due_at": due},
                    event=f"assessment-reminder-{version}",
                )
            if await wait_until(due, moved):
                continue
            self._set(InterviewStatus.ASSESSMENT_OVERDUE)
            await self._tell_parent()
            await self._tell(
                "assessment_overdue",
                [self.start.owner_id],
                {"due_at": due},
                event=f"overdue-{version}",
            )
            await workflow.wait_condition(moved)
        if assessment.submitted_at is not None:
            await self._tell(
                "assessment_submitted",
                self.client_side,
                {"late": assessment.late, "submission_link": assessment.link},
            )

    async def _schedule(self) -> Booking:
        """Until a booking reaches its end: wait for a claim, invite, remind; start again after
        a cancellation, re-invite after a move."""
        while True:
            if self.state.booking is None:
                self._set(InterviewStatus.AWAITING_SLOT)
                await self._tell_parent()
                await self._tell_pool(CONTRACTOR_WAITING)
                await workflow.wait_condition(lambda: self.state.booking is not None)
                await self._tell_pool(CONTRACTOR_LEFT)
            booking = self.state.booking
            assert booking is not None
            sequence = self.state.sequence
            await self._tell_parent()
            await _to_the_end(self._send_invite(REQUEST, booking, sequence))
            if await self._until_end(booking, sequence):
                return booking
            if self.state.booking is None:
                await _to_the_end(self._send_invite(CANCEL, booking, self.state.sequence))

    async def _until_end(self, booking: Booking, sequence: int) -> bool:
        """Remind both sides 24 h and 1 h before (those still ahead when booked); True at the
        end, False as soon as the booking changes (its timers are cancelled with it)."""

        def changed() -> bool:
            return self.state.booking is None or self.state.sequence != sequence

        booked_at = self.state.booked_at or workflow.now()
        for label, at in reminder_times(booking.start, booked_at):
            if await wait_until(at, changed):
                return False
            await self._tell(
                "interview_reminder",
                [self.start.contractor_id, *self.client_side],
                {"start": booking.start, "end": booking.end, "before": label},
                event=f"reminder-{label}-{sequence}",
            )
        if await wait_until(booking.end, changed):
            return False
        return not changed()

    async def _await_outcome(self, booking: Booking) -> None:
        self._set(InterviewStatus.AWAITING_OUTCOME)
        await self._tell_parent()

        def recorded() -> bool:
            return self.state.outcome is not None

        holidays = [date.fromisoformat(d) for d in self.start.holidays]
        schedule = outcome_reminder_times(booking.end, self.start.client_tz, holidays)
        for number, at in enumerate(schedule, start=1):
            if await wait_until(at, recorded):
                break
            await self._tell(
                "outcome_reminder",
                [self.start.owner_id],
                {"start": booking.start, "end": booking.end, "reminder_number": number},
                event=f"outcome-reminder-{number}",
            )
        await workflow.wait_condition(recorded)
        await self._tell_parent()
        outcome = self.state.outcome
        if outcome is not None and outcome.outcome == OutcomeKind.COMPLETED:
            await self._tell(
                "thank_interviewer_nudge",
                [self.start.contractor_id],
                {"thank_by": workflow.now() + THANK_INTERVIEWER_WITHIN},
                link="/threads?panel=marketplace",
            )

    async def _wind_down(self) -> None:
        """The candidacy ended: give the slot back, cancel the calendars' event, leave the pool."""
        async with self.lock:  # a claim under way settles first; later ones are refused
            booking = self.state.booking
            if booking is not None:
                self._change_booking(None)
            self._set(InterviewStatus.CANCELLED)
        if booking is not None:
            await run_activity(
                SlotActivities.release_slot,
                ReleaseSlotRequest(slot_id=booking.slot_id, interview_id=self.start.interview_id),
            )
            if self.calendars_hold is not None:
                await self._send_invite(CANCEL, booking, self.state.sequence)
        await self._tell_pool(CONTRACTOR_LEFT)

    # --- what contractors and clients can do ------------------------------------------------

    @workflow.update
    async def claim(self, request: ClaimRequest) -> Booking:
        """Book one open slot of this round: the answer is immediate and final."""
        async with self.lock:
            held = self.state.booking
            if held is not None and held.slot_id == request.slot_id:
                return held  # the same claim again
            self._check_claimable()
            booking = await self._book(request.slot_id)
            self._change_booking(booking)
            self.state.booked_at = workflow.now()
            self._set(InterviewStatus.BOOKED)
            return booking

    @claim.validator
    def _check_claim(self, request: ClaimRequest) -> None:
        held = self.state.booking
        if held is None or held.slot_id != request.slot_id:
            self._check_claimable()

    @workflow.update
    def submit_assessment(self, submission: AssessmentSubmission) -> InterviewState:
        assessment = self.state.assessment
        assert assessment is not None
        now = workflow.now()
        assessment.submitted_at = now
        assessment.link = submission.link
        assessment.text = submission.text
        assessment.late = now > assessment.due_at
        self._set(InterviewStatus.AWAITING_SLOT)
        return self.state

    @submit_assessment.validator
    def _check_submission(self, submission: AssessmentSubmission) -> None:
        self._check_assessment_open()

    @workflow.update
    def extend_assessment(self, extension: AssessmentExtension) -> InterviewState:
        assessment = self.state.assessment
        assert assessment is not None
        assessment.due_at = self._new_due(extension)
        assessment.extensions += 1
        self.assessment_version += 1
        self._set(InterviewStatus.AWAITING_ASSESSMENT)
        return self.state

    @extend_assessment.validator
    def _check_extension(self, extension: AssessmentExtension) -> None:
        self._check_assessment_open()
        problem = extension_problem(self._new_due(extension), workflow.now())
        if problem:
            raise ApplicationError(problem, type=INVALID, non_retryable=True)

    @workflow.signal
    def waive_assessment(self) -> None:
        """The client advanced anyway after the assessment was overdue."""
        assessment = self.state.assessment
        if assessment is not None and self.state.status == InterviewStatus.ASSESSMENT_OVERDUE:
            assessment.waived = True
            self._set(InterviewStatus.AWAITING_SLOT)

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
                type=INVALID,
                non_retryable=True,
            )
        if outcome.outcome == OutcomeKind.COMPLETED and outcome.no_show_side is not None:
            raise ApplicationError(
                "no_show_side is only for a no-show", type=INVALID, non_retryable=True
            )

    @workflow.query
    def status(self) -> InterviewState:
        return self.state

    # --- bookkeeping ------------------------------------------------------------------------

    async def _book(self, slot_id: str) -> Booking:
        try:
            booking: Booking = await workflow.execute_local_activity_method(
                SlotActivities.book_slot,
                BookSlotRequest(
                    slot_id=slot_id,
                    interview_id=self.start.interview_id,
                    job_post_id=self.start.job_post_id,
                    round=self.start.round,
                    now=workflow.now(),
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

    def _change_booking(self, new: Booking | None) -> None:
        """Every change after the first booking raises the invite's SEQUENCE."""
        if self.booking_changes > 0:
            self.state.sequence += 1
        self.booking_changes += 1
        if new is None:
            self.state.cancelled_booking = self.state.booking
        self.state.booking = new

    def _check_claimable(self) -> None:
        status = self.state.status
        if status == InterviewStatus.AWAITING_ASSESSMENT:
            _conflict("the take-home assessment must be submitted before the interview is booked")
        if status == InterviewStatus.ASSESSMENT_OVERDUE:
            _conflict(
                "the take-home assessment is overdue: the interview can be booked once it is "
                "submitted or the client advances anyway"
            )
        if status != InterviewStatus.AWAITING_SLOT:
            _conflict(f"this interview is already {status.value}")

    def _check_assessment_open(self) -> None:
        if self.state.assessment is None:
            _conflict("this round has no take-home assessment")
        if self.state.status not in ASSESSMENT_STATUSES:
            _conflict(f"the assessment is no longer open; this interview is {self.state.status}")

    def _new_due(self, extension: AssessmentExtension) -> datetime:
        assessment = self.state.assessment
        assert assessment is not None
        if extension.due_at is not None:
            return extension.due_at
        return assessment.due_at + timedelta(days=extension.extra_days or 0)

    def _assessment_settled(self) -> bool:
        assessment = self.state.assessment
        return assessment is None or assessment.submitted_at is not None or assessment.waived

    def _set(self, status: InterviewStatus) -> None:
        self.state.status = status
        self._details()

    def _details(self) -> None:
        workflow.set_current_details(
            f"Round {self.start.round} ({self.state.kind}): {self.state.status.value}"
        )

    async def _send_invite(self, method: str, booking: Booking, sequence: int) -> None:
        if method == CANCEL:
            template, event = "interview_invite_cancelled", f"invite-cancel-{sequence}"
            self.calendars_hold = None
        else:
            moved = self.calendars_hold is not None and self.calendars_hold != booking
            template = "interview_rescheduled" if moved else "interview_booked"
            event = f"invite-{sequence}"
            self.calendars_hold = booking
        await run_activity(
            InviteActivities.send_invite,
            InviteRequest(
                interview_id=self.start.interview_id,
                job_post_id=self.start.job_post_id,
                round=self.start.round,
                kind=self.state.kind,
                method=method,
                sequence=sequence,
                start=booking.start,
                end=booking.end,
                stamp=workflow.now(),
                recipient_ids=[self.start.contractor_id, *self.client_side],
                template=template,
                event_key=f"{self.start.interview_id}:{event}",
                context=self._context({"sequence": sequence}),
                link=f"/interviews/{self.start.interview_id}",
            ),
        )

    async def _tell_pool(self, signal: str) -> None:
        waiting = signal == CONTRACTOR_WAITING
        if not waiting and not self.in_pool:
            return
        self.in_pool = waiting
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

    async def _tell_parent(self) -> None:
        """Keep the candidacy's view of this round current (it decides on overdue work)."""
        parent = workflow.info().parent
        if parent is None:
            return
        booking = self.state.booking
        ref = InterviewRef(
            interview_id=self.start.interview_id,
            round=self.start.round,
            status=self.state.status.value,
            start=booking.start if booking else None,
            end=booking.end if booking else None,
        )
        told = (ref.status, ref.start, ref.end)
        if told == self.parent_told:
            return
        self.parent_told = told
        try:
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                PARENT_SIGNAL, ref
            )
        except Exception:  # noqa: BLE001 - the parent may have ended; nothing to keep current
            workflow.logger.info("candidacy %s no longer takes signals", parent.workflow_id)

    def _context(self, extra: dict[str, object]) -> dict[str, object]:
        return {
            "interview_id": self.start.interview_id,
            "candidacy_id": self.start.candidacy_id,
            "job_post_id": self.start.job_post_id,
            "contractor_id": self.start.contractor_id,
            "round": self.start.round,
            "kind": self.state.kind,
            **extra,
        }

    async def _tell(
        self,
        template: str,
        recipients: list[str],
        context: dict[str, object],
        event: str | None = None,
        link: str | None = None,
    ) -> None:
        await notify(
            event_key=f"{self.start.interview_id}:{event or template}",
            template=template,
            recipient_ids=list(dict.fromkeys(recipients)),
            context=self._context(context),
            link=link or f"/interviews/{self.start.interview_id}",
        )


async def _to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to its end through any cancellation request, then pass the request on. An
    invite half-sent when the candidacy ends still reaches calendars before its cancellation."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    task.result()
    if cancelled:
        raise asyncio.CancelledError


def _conflict(message: str) -> None:
    raise ApplicationError(message, type=CONFLICT, non_retryable=True)
