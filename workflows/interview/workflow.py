"""InterviewWorkflow: one round's interview of one candidacy (`interview-<job>-<contractor>-r<n>`).

The story: when the round has a take-home assessment it is sent first, due in N days (reminder
24 h before; overdue, the client is told and extends, advances anyway or rejects), and the
interview becomes bookable once it is submitted. The contractor then claims an open slot: booked
or refused at once. Booked, both sides get a calendar invite and reminders 24 h and 1 h before;
any change of the booking (cancelled, moved) stops the old booking's timers and sends calendars
the change with a higher SEQUENCE. After the end the client records the outcome, reminded 1 h
after the end and then daily for up to 5 business days; a completed interview nudges the
contractor to thank the interviewer in the chat.

Either side may cancel the booking before its start (with a reason: the other side is told, and
the pair's thread gets a message) or move it to another open slot in one step (the new slot is
booked before the old one is released; the contractor at most twice per round); the client may
also cancel the round's request altogether, which ends this workflow as cancelled.

Changing the booking from a handler: under the lock, book or release slots with the slot
activities, change the state and put the change in `outbox`; the main loop announces the changes
in order (calendars REQUEST or CANCEL with the notices), stops the old booking's timers, and waits
for a new claim after a cancellation. Each wait looks at the booking itself as well as at the
outbox (an announcement under way may have emptied it), and a courier of its own tells the
candidacy each change as it happens: the update `caught_up` answers once it has.

Whatever the interview tells people (notices, calendar invites, thread messages) goes in its
outbox of deliveries, sent in order by one coroutine: the story never waits on the mail server.
It ends as soon as the story does, handing what is still unsent (and the thank-you nudge) to a
DeliveriesWorkflow of its own (workflows/deliveries.py).

Slots are decided by the round's slot pool (workflows/slot_pool.py): a contractor's claim is an
update of the pool, which tells this workflow the booking it made (signal `slot_booked`); the
story goes on from it as from any booking. The candidacy is not told of bookings (its view of
the round reads them from here or the pool, api/pending_bookings.py): the courier tells it the
other changes. A booking told once this interview can no longer take it (cancelled meanwhile)
is given back. A move, a cancellation and the end go through the pool too (the slot activities
are its updates).

How it stops before taking place: the candidacy ended (it says why with `candidacy_ended`, then
cancels this workflow) or the client cancelled the round's request (the `cancel` update). Both
call `_stop(why)`, and `stopping` says that the interview stops and why; the run then cancels
the story, waits for it to settle, and winds down to the end (`_wind_down`: the slot given back,
calendars told, the pool told) even if a cancellation arrives meanwhile. Cancelling the story's
task is not enough to stop it: an operation that completed in the same workflow task (an
activity, a signal) absorbs a task's cancellation, so every wait of the story ends it once the
run has cancelled it; and on the path of histories recorded before NOTICES_OFF_THE_STORY_PATCH
its announcements run to their end through the cancellation. The run, not the `cancel` update,
cancels the story, at its next turn: until then the story goes on, and `stopping` tells the two
moments apart (recorded histories replay on that timing).

The parts: the booking (scheduling.py), the take-home (take_home.py), what it tells people
(notices.py), the candidacy's view (courier.py), how it stops (stopping.py), the patches
(patches.py); the handlers, and the story, are here.

Not sandboxed: every import is passed through (pydantic models, pure rules of `domain/`, the
activities' interfaces); the code reads time only through `workflow.now()` and timers, keeps no
module-level mutable state and does no I/O, so a replay issues the same commands.
"""

import asyncio
from collections.abc import Callable
from datetime import date

from temporalio import workflow
from temporalio.exceptions import is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import (
        AssessmentExtension,
        AssessmentSubmission,
        Booking,
        CancelRequest,
        CandidacyEnded,
        ClaimRequest,
        InterviewResult,
        InterviewStart,
        InterviewState,
        InterviewStatus,
        Outcome,
        OutcomeKind,
        RescheduleRequest,
    )
    from contracts.notify import CancelNotifications, NotifyActivities, NotifyRequest
    from contracts.slot_pool import (
        CONTRACTOR_LEFT,
        CONTRACTOR_WAITING,
        INTERVIEW_ENDED,
        SlotBooked,
        SlotSeen,
    )
    from domain.assessments import extension_problem
    from domain.interviews import THANK_INTERVIEWER_WITHIN, outcome_reminder_times, reminder_times
    from workflows.common import run_activity
    from workflows.interview.patches import (
        CANCEL_NOTIFICATIONS_PATCH,
        CANDIDACY_READS_BOOKINGS_PATCH,
        CANDIDACY_TOLD_AT_ONCE_PATCH,
        CLAIM_WHILE_WAITING_PATCH,
        INVITES_AT_ONCE_PATCH,
        NOTICES_OFF_THE_STORY_PATCH,
        ONE_UPSERT_PER_BOOKING_PATCH,
        POOL_TOLD_OF_END_PATCH,
    )
    from workflows.interview.scheduling import Scheduling
    from workflows.interview.stopping import CANDIDACY_ENDED, settled, to_the_end
    from workflows.interview.take_home import TakeHome
    from workflows.refusals import conflict, invalid


@workflow.defn(sandboxed=False)
class InterviewWorkflow(Scheduling, TakeHome):
    @workflow.init
    def __init__(self, start: InterviewStart) -> None:
        super().__init__(start)  # the fields: base.py

    @workflow.run
    async def run(self, start: InterviewStart) -> InterviewResult:
        self._details()
        if workflow.patched(NOTICES_OFF_THE_STORY_PATCH):
            self.off_the_story = True
            self.deliveries.start()
        # Asked here, at the start, so that their markers are not written on a booking's path.
        self.one_upsert_per_booking = workflow.patched(ONE_UPSERT_PER_BOOKING_PATCH)
        self.invites_at_once = self.off_the_story and workflow.patched(INVITES_AT_ONCE_PATCH)
        if workflow.info().parent is not None:
            self.candidacy_reads_bookings = workflow.patched(CANDIDACY_READS_BOOKINGS_PATCH)
        if workflow.info().parent is not None and workflow.patched(CANDIDACY_TOLD_AT_ONCE_PATCH):
            self.courier = asyncio.ensure_future(self._keep_candidacy_current())
        story = asyncio.ensure_future(self._story(start))
        try:
            await workflow.wait_condition(lambda: story.done() or self.stopping is not None)
        except BaseException as error:
            self._stop(CANDIDACY_ENDED)  # it cancelled this workflow
            await self._end_story(story, wind_down=is_cancelled_exception(error))
            raise
        if story.done():
            story.result()
        else:  # the client cancelled the round's request
            await self._end_story(story)
        self.over = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._hand_over_unsent(self._farewell())
        return InterviewResult(
            interview_id=start.interview_id,
            status=self.state.status,
            outcome=self.state.outcome,
            booking=self.state.booking,
            sequence=self.state.sequence,
        )

    # --- the steps of the story -------------------------------------------------------------

    async def _story(self, start: InterviewStart) -> None:
        if start.round_spec.assessment is not None:
            await self._take_home(start.round_spec.assessment)
        await self._tell("interview_requested", [start.contractor_id], {"message": start.message})
        booking = await self._schedule()
        await self._await_outcome(booking)

    async def _schedule(self) -> Booking:
        """Until a booking reaches its end: announce each change of the booking, wait for a
        claim while nothing is booked, remind while something is."""
        while True:
            if self._story_cancelled():  # see _wait: the story ends itself
                raise asyncio.CancelledError
            booking = self.state.booking
            sequence = self.state.sequence
            if booking is None:
                self._set(InterviewStatus.AWAITING_SLOT)
                await self._tell_parent()
                await self._tell_pool(CONTRACTOR_WAITING)  # waiting again: new slots are told
                await self._flush()  # announces a claim that landed meanwhile, too
                if self.state.booking is None:
                    await self._wait(self._moved_on(None, sequence))
                elif not workflow.patched(CLAIM_WHILE_WAITING_PATCH):
                    await self._wait(lambda: bool(self.outbox))
                continue
            await self._tell_pool(CONTRACTOR_LEFT)
            await self._tell_parent()
            await self._flush()
            if self.state.booking != booking:
                continue
            if await self._until_end(booking, self.state.sequence):
                return booking

    async def _until_end(self, booking: Booking, sequence: int) -> bool:
        """Remind both sides 24 h and 1 h before (those still ahead when booked); True at the
        end, False as soon as the booking changes (its timers are cancelled with it)."""

        changed = self._moved_on(booking, sequence)
        booked_at = self.state.booked_at or workflow.now()
        for label, at in reminder_times(booking.start, booked_at):
            if await self._wait(changed, at, f"interview reminder {label} before"):
                return False
            await self._tell(
                "interview_reminder",
                [self.start.contractor_id, *self.client_side],
                {"start": booking.start, "end": booking.end, "before": label},
                event=f"reminder-{label}-{sequence}",
                about=self._booking_key(sequence),
            )
        if await self._wait(changed, booking.end, "interview ends"):
            return False
        return not changed()

    async def _await_outcome(self, booking: Booking) -> None:
        if self.state.outcome is None:  # (the client may have recorded it as the end came)
            self._set(InterviewStatus.AWAITING_OUTCOME)
        await self._tell_parent()

        def recorded() -> bool:
            return self.state.outcome is not None

        holidays = [date.fromisoformat(d) for d in self.start.holidays]
        schedule = outcome_reminder_times(booking.end, self.start.client_tz, holidays)
        for number, at in enumerate(schedule, start=1):
            if await self._wait(recorded, at, f"outcome reminder {number} to the client"):
                break
            await self._tell(
                "outcome_reminder",
                [self.start.owner_id],
                {"start": booking.start, "end": booking.end, "reminder_number": number},
                event=f"outcome-reminder-{number}",
            )
        await self._wait(recorded)
        await self._tell_parent()
        if not self.off_the_story:  # (else it goes with the end: see _farewell)
            for nudge in self._farewell():
                await self._send(nudge)

    def _farewell(self) -> list[NotifyRequest]:
        """After a completed interview, the contractor is nudged to thank the interviewer."""
        outcome = self.state.outcome
        if outcome is None or outcome.outcome != OutcomeKind.COMPLETED:
            return []
        return [
            self._notice(
                "thank_interviewer_nudge",
                [self.start.contractor_id],
                {"thank_by": workflow.now() + THANK_INTERVIEWER_WITHIN},
                link="/threads?panel=marketplace",
            )
        ]

    def _moved_on(self, booking: Booking | None, sequence: int) -> Callable[[], bool]:
        """Whether the booking differs from `booking` (booked at `sequence`), or a change of it
        awaits its announcement: a wait for the next change looks at the booking itself, as an
        announcement under way may already have taken the change out of the outbox."""

        def moved() -> bool:
            return (
                bool(self.outbox)
                or self.state.booking != booking
                or self.state.sequence != sequence
            )

        return moved

    # --- stopping before it takes place ------------------------------------------------------

    async def _end_story(self, story: "asyncio.Future[None]", wind_down: bool = True) -> None:
        """The interview stops (`_stop`): cancel the story, let it finish what it shields, and
        wind down to the end."""
        assert self.stopping is not None
        self.stopping.story_cancelled = True
        story.cancel()
        if wind_down:
            await settled(story)
            await to_the_end(self._wind_down())

    async def _wind_down(self) -> None:
        """The interview ends before taking place (the candidacy ended, or the client cancelled
        the request): nothing more about it goes out, the slot is given back (withdrawn when
        the job post closed), calendars get the cancellation, the pool loses a waiting one."""
        if workflow.patched(CANCEL_NOTIFICATIONS_PATCH):
            await run_activity(
                NotifyActivities.cancel_notifications,
                CancelNotifications(subject_id=self.key, reason="interview cancelled"),
            )
        async with self.lock:  # a claim under way settles first; later ones are refused
            release = None
            if self.state.booking is not None:
                cause = self.candidacy_end.stage if self.candidacy_end else "cancelled"
                release = self._drop_booking(cause=cause, reopen=cause != "closed")
            self._set(InterviewStatus.CANCELLED)
            if release is not None:
                await self._release(*release)
        await self._flush()
        if self.candidacy_end is not None and self.off_the_story:
            # The candidacy's ending notices share these cancellations' rows (its email must be
            # the one carrying the calendar's CANCEL): it sends them once this interview ended.
            await self.deliveries.flushed()
        await self._hand_over_unsent([])
        if workflow.patched(POOL_TOLD_OF_END_PATCH):
            self.in_pool = False
            await self._notify_pool(INTERVIEW_ENDED)
        else:
            await self._tell_pool(CONTRACTOR_LEFT)

    # --- what contractors and clients can do ------------------------------------------------

    @workflow.update(
        description="The contractor books one open slot of the round: booked or refused at once."
    )
    async def claim(self, request: ClaimRequest) -> Booking:
        """Book one open slot of this round: the answer is immediate and final."""
        return await self._claim(request)

    @claim.validator
    def _check_claim(self, request: ClaimRequest) -> None:
        held = self.state.booking
        if held is None or held.slot_id != request.slot_id:
            self._check_claimable()

    @workflow.signal(description="The slot pool booked a slot for this interview.")
    async def slot_booked(self, booked: SlotBooked) -> None:
        """The slot pool booked a slot for this interview (a contractor's claim): the booking
        stands as if claimed here. One this interview can no longer take goes back."""
        await self._take_from_pool(booked)

    @workflow.update(description="Either side cancels the booking before its start, with a reason.")
    async def cancel(self, request: CancelRequest) -> InterviewState:
        """Cancel the booking before its start (the round waits for a new claim), or with
        `cancel_request` the round's request itself (this interview ends as cancelled)."""
        return await self._cancel(request)

    @cancel.validator
    def _check_cancel(self, request: CancelRequest) -> None:
        self._check_cancellable(request)

    @workflow.update(description="Move the booking to another open slot of the round in one step.")
    async def reschedule(self, request: RescheduleRequest) -> InterviewState:
        """Move the booking to another open slot of the round in one step: the new slot is
        booked before the old one is released, so a refusal (409) leaves the booking as it was."""
        return await self._move(request)

    @reschedule.validator
    def _check_reschedule(self, request: RescheduleRequest) -> None:
        self._check_movable(request)

    @workflow.signal(
        description="The candidacy ended: why, and who hears of it (the calendars ride on it)."
    )
    def candidacy_ended(self, ended: CandidacyEnded) -> None:
        """Sent by the candidacy before it cancels this workflow: who to tell, and how."""
        self.candidacy_end = ended

    @workflow.update(description="The contractor submits the take-home: a link or text.")
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

    @workflow.update(description="The client extends the take-home's due moment.")
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
            invalid(problem)

    @workflow.signal(description="The client advances anyway: bookable without the take-home.")
    def waive_assessment(self) -> None:
        """The client advanced anyway after the assessment was overdue."""
        assessment = self.state.assessment
        if assessment is not None and self.state.status == InterviewStatus.ASSESSMENT_OVERDUE:
            assessment.waived = True
            self._set(InterviewStatus.AWAITING_SLOT)

    @workflow.update(description="The client records the outcome: completed or no-show.")
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
        if self.state.status != InterviewStatus.AWAITING_OUTCOME and not self._just_ended():
            if self.state.status == InterviewStatus.BOOKED:
                conflict("the outcome can be recorded once the interview has ended")
            conflict(f"no outcome is due; this interview is {self.state.status.value}")
        if outcome.outcome == OutcomeKind.NO_SHOW and outcome.no_show_side is None:
            invalid("no_show_side is required for a no-show (client or contractor)")
        if outcome.outcome == OutcomeKind.COMPLETED and outcome.no_show_side is not None:
            invalid("no_show_side is only for a no-show")

    @workflow.update(description="Answers once the candidacy has this interview's current view.")
    async def caught_up(self, seen: SlotSeen | None = None) -> InterviewState:
        """Answers once the candidacy shows this interview's status and booking as they stand,
        i.e. once the story has taken in the last change (a claim, a move, a cancellation) and
        gone on from it: the route that made the change answers after this, so the next call
        sees one story whichever workflow it asks. With `seen`, first until the slot pool's
        booking of that slot has been told here."""
        if seen is not None:
            await workflow.wait_condition(
                lambda: seen.slot_id in self.slots_seen or self.over or self._story_cancelled()
            )
        await workflow.wait_condition(self._candidacy_caught_up)
        return self.state

    @workflow.query(description="The interview's status, booking, take-home and outcome.")
    def status(self) -> InterviewState:
        return self.state

    def _just_ended(self) -> bool:
        """Booked, and its end has come: the story is about to wait for the outcome."""
        booking = self.state.booking
        return (
            self.state.status == InterviewStatus.BOOKED
            and booking is not None
            and workflow.now() >= booking.end
        )
