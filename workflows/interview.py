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
is given back. A move, a
cancellation and the end go through the pool too (the slot activities are its updates).

Not sandboxed: every import is passed through (pydantic models, pure rules of `domain/`, the
activities' interfaces); the code reads time only through `workflow.now()` and timers, keeps no
module-level mutable state and does no I/O, so a replay issues the same commands.
"""

import asyncio
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from contracts.deliveries import Delivery
    from contracts.hiring import (
        SLOT_UNAVAILABLE,
        AssessmentExtension,
        AssessmentState,
        AssessmentSubmission,
        Booking,
        BookingCancellation,
        BookingMove,
        BookSlotRequest,
        CancelRequest,
        CandidacyEnded,
        ClaimRequest,
        InterviewRef,
        InterviewResult,
        InterviewStart,
        InterviewState,
        InterviewStatus,
        Outcome,
        OutcomeKind,
        PoolMember,
        ReleaseSlotRequest,
        RescheduleRequest,
        Side,
        SlotActivities,
    )
    from contracts.notify import CancelNotifications, NotifyActivities, NotifyRequest
    from contracts.slot_pool import (
        CONTRACTOR_LEFT,
        CONTRACTOR_WAITING,
        INTERVIEW_CHANGED,
        INTERVIEW_ENDED,
        SlotBooked,
        SlotPoolActivities,
        SlotPoolNotice,
        SlotSeen,
    )
    from domain.assessments import due_at, extension_problem, reminder_at
    from domain.errors import CONFLICT, INVALID
    from domain.interviews import (
        CONTRACTOR_RESCHEDULES_PER_ROUND,
        THANK_INTERVIEWER_WITHIN,
        contractor_reschedules_left,
        has_started,
        is_late_cancellation,
        outcome_reminder_times,
        reminder_times,
    )
    from domain.masking import mask_contact_details
    from domain.plans import Assessment
    from domain.slots import is_bookable
    from workflows import search_attributes as sa
    from workflows.booking_notices import (
        Booked,
        BookingNotices,
        Cancelled,
        Change,
        RequestCancelled,
    )
    from workflows.claimable import claim_refusal
    from workflows.common import at_utc, run_activity, wait_until
    from workflows.deliveries import hand_over_unsent, queue
    from workflows.outbox import Outbox
    from workflows.policies import ATTENDED, DELIVERY

BOOK_TIMEOUT = timedelta(seconds=10)
BOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2)
)
UNAVAILABLE = "Unavailable"  # the booking could not be decided now: 503, try again
PARENT_SIGNAL = INTERVIEW_CHANGED
ASSESSMENT_STATUSES = (InterviewStatus.AWAITING_ASSESSMENT, InterviewStatus.ASSESSMENT_OVERDUE)
# Ending a booking or the interview drops its notifications still unsent (reminders retrying).
CANCEL_NOTIFICATIONS_PATCH = "cancel-notifications-of-ended-bookings"
TAKEN_PLACE = (InterviewStatus.AWAITING_OUTCOME, InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW)
# A claim that lands while the round is being announced as waiting (its invite then goes out in
# the same announcement) is seen by the booking it made: the story goes on to the booking's
# reminders and end instead of waiting for another change.
CLAIM_WHILE_WAITING_PATCH = "waiting-for-a-claim-sees-the-booking"
# The candidacy hears of each change of the interview as it happens (a route answers once it has).
CANDIDACY_TOLD_AT_ONCE_PATCH = "candidacy-told-of-changes-at-once"
# An interview that ends tells the slot pool, which gives back a booking it made meanwhile.
POOL_TOLD_OF_END_PATCH = "slot-pool-told-of-the-interview-end"
# Notices, invites and thread messages go out from the outbox's drain, never awaited by the
# story; the interview ends at once, handing what is still unsent (and the thank-you nudge) to a
# DeliveriesWorkflow of its own.
NOTICES_OFF_THE_STORY_PATCH = "interview-notices-sent-off-the-story"
# Invites are first tried in the workflow task that queued them (a local activity).
INVITES_AT_ONCE_PATCH = "interview-invites-tried-at-once"
# A booking and its status go in one search-attribute upsert.
ONE_UPSERT_PER_BOOKING_PATCH = "interview-booking-in-one-upsert"
# The candidacy is not told of bookings (made, moved or cancelled): its view of the round, while
# it waits for a slot, reads the booking from this interview or the slot pool
# (api/pending_bookings.py). It still hears of every other change. A booking's invite goes out
# and the story sets its reminder's timer in the signal's one workflow task.
CANDIDACY_READS_BOOKINGS_PATCH = "candidacy-reads-the-booking-from-the-interview"


@workflow.defn(sandboxed=False)
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
            sequence=start.first_sequence,
            contractor_reschedules_left=CONTRACTOR_RESCHEDULES_PER_ROUND,
            attempt=start.attempt,
        )
        # Notifications of a later attempt (the request cancelled, then made again) get keys of
        # their own; the first attempt's keys are the interview id's.
        self.key = (
            start.interview_id
            if start.attempt == 1
            else f"{start.interview_id}:attempt-{start.attempt}"
        )
        self.client_side = list(dict.fromkeys([start.owner_id, *start.panel]))
        self.notices = BookingNotices(start, self.key, self.client_side)
        self.lock = asyncio.Lock()
        self.booking_changes = 0
        self.contractor_moves = 0
        self.assessment_version = 0  # raised by every extension
        self.in_pool = False
        self.parent_told: tuple[Any, ...] | None = None
        self.parent_knows: tuple[Any, ...] | None = None  # the last view the candidacy received
        self.courier: asyncio.Future[None] | None = None
        self.over = False  # the story has ended: nothing more is told to the candidacy
        self.outbox: list[Change] = []  # changes of the booking not yet announced, in order
        self.deliveries = Outbox()  # what announces them, and every notice, on its way out
        self.off_the_story = False  # whether the outbox sends (else the story awaits each send)
        self.invites_at_once = False
        self.one_upsert_per_booking = False
        self.candidacy_reads_bookings = False  # whether a booking is left out of its view
        self.request_cancelled = False
        self.winding_down = False  # the story is being cancelled: it must not go on
        self.candidacy_end: CandidacyEnded | None = None
        self.slots_seen: set[str] = set()  # slots the pool told of (taken or given back)

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
            await workflow.wait_condition(lambda: story.done() or self.request_cancelled)
        except BaseException as error:
            # Cancelled (the candidacy ended): wind down, then let the cancellation through.
            self.winding_down = True
            story.cancel()
            if is_cancelled_exception(error):
                await _settled(story)
                await _to_the_end(self._wind_down())
            raise
        if story.done():
            story.result()
        else:  # the client cancelled the round's request
            self.winding_down = True
            story.cancel()
            await _settled(story)
            await _to_the_end(self._wind_down())
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
                if await self._wait(moved, remind, "take-home reminder 24 h before due"):
                    continue
                await self._tell(
                    "assessment_reminder",
                    [self.start.contractor_id],
                    {"due_at": due},
                    event=f"assessment-reminder-{version}",
                )
            if await self._wait(moved, due, "take-home due"):
                continue
            self._set(InterviewStatus.ASSESSMENT_OVERDUE)
            await self._tell_parent()
            await self._tell(
                "assessment_overdue",
                [self.start.owner_id],
                {"due_at": due},
                event=f"overdue-{version}",
            )
            await self._wait(moved)
        if assessment.submitted_at is not None:
            await self._tell(
                "assessment_submitted",
                self.client_side,
                {"late": assessment.late, "submission_link": assessment.link},
            )

    async def _schedule(self) -> Booking:
        """Until a booking reaches its end: announce each change of the booking, wait for a
        claim while nothing is booked, remind while something is."""
        while True:
            if self.winding_down:  # see _wait: the story ends itself
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

    async def _wait(
        self, done: Callable[[], bool], deadline: datetime | None = None, summary: str = ""
    ) -> bool:
        """Every wait of the story: until `done()` (or the deadline: True when `done()` came
        true). It ends the story once the run winds down: cancelling the story's task is not
        enough, as an operation that completed meanwhile (an activity, a signal) absorbs it."""

        def ready() -> bool:
            return self.winding_down or done()

        if deadline is None:
            await workflow.wait_condition(ready)
            came = True
        else:
            came = await wait_until(deadline, ready, summary or None)
        if self.winding_down:
            raise asyncio.CancelledError
        return came

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
        async with self.lock:
            held = self.state.booking
            if held is not None and held.slot_id == request.slot_id:
                return held  # the same claim again
            self._check_claimable()
            booking = await self._book(request.slot_id)
            self._take(booking, workflow.now())
            return booking

    @claim.validator
    def _check_claim(self, request: ClaimRequest) -> None:
        held = self.state.booking
        if held is None or held.slot_id != request.slot_id:
            self._check_claimable()

    @workflow.signal(description="The slot pool booked a slot for this interview.")
    async def slot_booked(self, booked: SlotBooked) -> None:
        """The slot pool booked a slot for this interview (a contractor's claim): the booking
        stands as if claimed here. One this interview can no longer take goes back."""
        async with self.lock:
            held = self.state.booking
            if held is not None and held.slot_id == booked.slot_id:
                self.slots_seen.add(booked.slot_id)
                return  # told again
            takes = (
                held is None
                and self.state.status == InterviewStatus.AWAITING_SLOT
                and not (self.winding_down or self.request_cancelled)
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

    @workflow.update(description="Either side cancels the booking before its start, with a reason.")
    async def cancel(self, request: CancelRequest) -> InterviewState:
        """Cancel the booking before its start (the round waits for a new claim), or with
        `cancel_request` the round's request itself (this interview ends as cancelled)."""
        async with self.lock:
            self._check_cancel(request)
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
                self.request_cancelled = True
                self._set(InterviewStatus.CANCELLED)
            else:
                self._set(InterviewStatus.AWAITING_SLOT)
            if release is not None:
                await self._release(*release)
            return self.state

    @cancel.validator
    def _check_cancel(self, request: CancelRequest) -> None:
        if not request.reason.strip():
            _invalid("a reason is required to cancel")
        if request.side != Side.CLIENT and (request.withdraw_slot or request.cancel_request):
            _invalid("only the client can withdraw the slot or cancel the request")
        status = self.state.status
        booking = self.state.booking
        if status == InterviewStatus.CANCELLED:
            _conflict("this interview is already cancelled")
        if status in TAKEN_PLACE:
            _conflict(f"the interview has already taken place; it is {status.value}")
        if booking is not None and has_started(booking.start, workflow.now()):
            _conflict("the interview has started: it can no longer be cancelled")
        if not request.cancel_request and (booking is None or status != InterviewStatus.BOOKED):
            _conflict(f"nothing is booked to cancel; this interview is {status.value}")

    @workflow.update(description="Move the booking to another open slot of the round in one step.")
    async def reschedule(self, request: RescheduleRequest) -> InterviewState:
        """Move the booking to another open slot of the round in one step: the new slot is
        booked before the old one is released, so a refusal (409) leaves the booking as it was."""
        async with self.lock:
            self._check_reschedule(request)
            old = self.state.booking
            assert old is not None
            old_key = self._booking_key(self.state.sequence)
            new = await self._book(request.slot_id, keep_slot_id=old.slot_id)
            now = workflow.now()
            if has_started(old.start, now):  # it started while the new slot was being booked
                await self._release(new.slot_id, True, None)
                _conflict("the interview has started: it can no longer be moved")
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

    @reschedule.validator
    def _check_reschedule(self, request: RescheduleRequest) -> None:
        status = self.state.status
        booking = self.state.booking
        if status in TAKEN_PLACE:
            _conflict(f"the interview has already taken place; it is {status.value}")
        if booking is None or status != InterviewStatus.BOOKED:
            _conflict(f"nothing is booked to move (claim a slot); this interview is {status.value}")
            return
        if has_started(booking.start, workflow.now()):
            _conflict("the interview has started: it can no longer be moved")
        if request.slot_id == booking.slot_id:
            _conflict("the interview is already booked in this slot")
        if request.side == Side.CONTRACTOR and self.state.contractor_reschedules_left == 0:
            _conflict(
                f"this interview was moved {CONTRACTOR_RESCHEDULES_PER_ROUND} times by the "
                "contractor: only the client can reschedule now"
            )

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
            raise ApplicationError(problem, type=INVALID, non_retryable=True)

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

    @workflow.update(description="Answers once the candidacy has this interview's current view.")
    async def caught_up(self, seen: SlotSeen | None = None) -> InterviewState:
        """Answers once the candidacy shows this interview's status and booking as they stand,
        i.e. once the story has taken in the last change (a claim, a move, a cancellation) and
        gone on from it: the route that made the change answers after this, so the next call
        sees one story whichever workflow it asks. With `seen`, first until the slot pool's
        booking of that slot has been told here."""
        if seen is not None:
            await workflow.wait_condition(
                lambda: seen.slot_id in self.slots_seen or self.over or self.winding_down
            )
        await workflow.wait_condition(self._candidacy_caught_up)
        return self.state

    @workflow.query(description="The interview's status, booking, take-home and outcome.")
    def status(self) -> InterviewState:
        return self.state

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

    def _just_ended(self) -> bool:
        """Booked, and its end has come: the story is about to wait for the outcome."""
        booking = self.state.booking
        return (
            self.state.status == InterviewStatus.BOOKED
            and booking is not None
            and workflow.now() >= booking.end
        )

    def _check_claimable(self) -> None:
        refusal = claim_refusal(self.state.status)
        if refusal is not None:
            _conflict(refusal)

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
        booking = self.state.booking
        sa.keep_current(
            [
                sa.INTERVIEW_STATUS.value_set(self.state.status.value),
                sa.moment(sa.INTERVIEW_START_AT, booking.start if booking else None),
            ]
        )
        booked = f", booked {at_utc(booking.start)} to {at_utc(booking.end)}" if booking else ""
        workflow.set_current_details(
            f"Round {self.start.round} ({self.state.kind}): {self.state.status.value}{booked}"
        )

    # --- announcing changes of the booking ----------------------------------------------------

    async def _flush(self) -> None:
        """Announce the queued changes, oldest first: their deliveries join the outbox (or, on
        the old path, each announcement runs to its end even when the workflow is cancelled
        meanwhile), so calendars never miss a change and get them in order."""
        if self.off_the_story:
            while self.outbox:
                for delivery in self.notices.deliveries(self.outbox.pop(0), self.candidacy_end):
                    queue(self.deliveries, delivery, invite_at_once=self.invites_at_once)
            return
        while self.outbox:
            change = self.outbox[0]
            try:
                await _to_the_end(self.notices.announce(change, self.candidacy_end))
            finally:
                if self.outbox and self.outbox[0] is change:
                    self.outbox.pop(0)

    async def _hand_over_unsent(self, last: list[NotifyRequest]) -> None:
        """The interview ends at once: what it has not sent yet, then `last`, go out from a
        workflow of their own that outlives it."""
        if self.off_the_story:
            await hand_over_unsent(
                self.deliveries,
                self.key,
                self.start.interview_id,
                [Delivery(notify=notice) for notice in last],
            )

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

    async def _tell_parent(self) -> None:
        """Keep the candidacy's view of this round current (it decides on overdue work). With
        a courier (`_keep_candidacy_current`), wait until the candidacy has the current view."""
        if workflow.info().parent is None:
            return
        if self.courier is not None:
            await workflow.wait_condition(self._candidacy_caught_up)
            return
        await self._signal_parent()

    async def _keep_candidacy_current(self) -> None:
        """Tell the candidacy each change of this interview as it happens, one at a time, not
        only when the story comes to it (an announcement under way may take a while)."""

        def news() -> bool:
            return self.over or self.winding_down or self._parent_view() != self.parent_told

        while True:
            await workflow.wait_condition(news)
            if self.over or self.winding_down:
                return
            await self._signal_parent()

    async def _signal_parent(self) -> None:
        parent = workflow.info().parent
        assert parent is not None
        told = self._parent_view()
        if told == self.parent_told:
            return
        self.parent_told = told
        status, start, end = told
        ref = InterviewRef(
            interview_id=self.start.interview_id,
            round=self.start.round,
            status=status,
            start=start,
            end=end,
        )
        try:
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                PARENT_SIGNAL, ref
            )
        except Exception as error:  # noqa: BLE001 - the parent may have ended
            if is_cancelled_exception(error):  # this signal was cancelled with the story
                raise
            workflow.logger.info("candidacy %s no longer takes signals", parent.workflow_id)
        self.parent_knows = told

    def _parent_view(self) -> tuple[str, datetime | None, datetime | None]:
        if self.candidacy_reads_bookings and self.state.status == InterviewStatus.BOOKED:
            return (InterviewStatus.AWAITING_SLOT.value, None, None)  # it reads the booking here
        booking = self.state.booking
        return (
            self.state.status.value,
            booking.start if booking else None,
            booking.end if booking else None,
        )

    def _candidacy_caught_up(self) -> bool:
        """The candidacy shows this interview as it stands (or there is nothing more to tell)."""
        if workflow.info().parent is None or self.over or self.winding_down:
            return True
        return self.parent_knows == self._parent_view()

    def _context(self, extra: dict[str, object]) -> dict[str, object]:
        return self.notices.context(extra)

    async def _tell(
        self,
        template: str,
        recipients: list[str],
        context: dict[str, object],
        event: str | None = None,
        link: str | None = None,
        about: str | None = None,
    ) -> None:
        """Notify about this interview: nothing unsent goes out once it is cancelled (or, with
        `about`, once that booking is)."""
        notice = self._notice(template, recipients, context, event, link, about)
        if self.off_the_story:
            queue(self.deliveries, Delivery(notify=notice))
        else:
            await self._send(notice)

    def _notice(
        self,
        template: str,
        recipients: list[str],
        context: dict[str, object],
        event: str | None = None,
        link: str | None = None,
        about: str | None = None,
    ) -> NotifyRequest:
        return NotifyRequest(
            event_key=f"{self.key}:{event or template}",
            template=template,
            recipient_ids=list(dict.fromkeys(recipients)),
            context=self._context(context),
            link=link or f"/interviews/{self.start.interview_id}",
            at=workflow.now(),
            subject_id=about or self.key,
        )

    async def _send(self, notice: NotifyRequest) -> None:
        """The story's own send (before NOTICES_OFF_THE_STORY_PATCH). Cancelled half-way (the
        interview winding down), the attempt is abandoned rather than cancelled: the
        notification service itself drops what is no longer to be sent, and the workflow need
        not wait for the attempt to stop."""
        await workflow.execute_activity_method(
            NotifyActivities.send_notification,
            notice,
            start_to_close_timeout=DELIVERY.start_to_close,
            heartbeat_timeout=DELIVERY.heartbeat,
            retry_policy=DELIVERY.retry,
            cancellation_type=ActivityCancellationType.ABANDON,
        )


def _masked(reason: str | None) -> str | None:
    """One side's words, read by the other before any hire: contact details hidden."""
    return mask_contact_details(reason) if reason else reason


async def _settled(task: "asyncio.Future[None]") -> None:
    """Wait for a cancelled task to finish whatever it shields."""
    try:
        await task
    except BaseException as error:  # noqa: BLE001 - cancelled or failed, it is over either way
        if not is_cancelled_exception(error):
            workflow.logger.warning("interview story ended with %r", error)


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


def _invalid(message: str) -> None:
    raise ApplicationError(message, type=INVALID, non_retryable=True)
