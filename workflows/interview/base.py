"""What every part of InterviewWorkflow shares: the fields it keeps, and how its status shows
(search attributes, the current details)."""

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import (
        CandidacyEnded,
        InterviewStart,
        InterviewState,
        InterviewStatus,
    )
    from domain.interviews import CONTRACTOR_RESCHEDULES_PER_ROUND
    from workflows import search_attributes as sa
    from workflows.common import at_utc
    from workflows.interview.notices import BookingNotices, Change
    from workflows.interview.stopping import Stopping
    from workflows.outbox import Outbox


class InterviewBase:
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
        self.stopping: Stopping | None = None  # the interview stops before taking place: why
        self.candidacy_end: CandidacyEnded | None = None
        self.slots_seen: set[str] = set()  # slots the pool told of (taken or given back)

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
