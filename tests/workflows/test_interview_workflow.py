"""InterviewWorkflow alone (no candidacy above it), activities replaced by doubles: the take-home's
clock (reminder 24 h before due, overdue at the due moment, an extension restarts both), a
booking's reminders 24 h and 1 h before its start, the outcome reminders 1 h after the end then
daily for 5 business days, and what an outcome may not be."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from contracts.hiring import (
    AssessmentExtension,
    AssessmentSubmission,
    InterviewResult,
    InterviewStart,
    InterviewStatus,
    NoShowSide,
    Outcome,
    OutcomeKind,
)
from contracts.slot_pool import SlotBooked
from domain.ids import interview_workflow_id
from domain.plans import Assessment, Round, RoundKind
from tests.helpers import eventually
from tests.workflows.calendar import business_days_after, same_moments, same_time_of_day
from tests.workflows.doubles import Doubles, hire_ids, worker_with
from workflows.interview import InterviewWorkflow

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass
class Interview:
    env: WorkflowEnvironment
    doubles: Doubles
    task_queue: str
    start: InterviewStart
    handle: WorkflowHandle[InterviewWorkflow, InterviewResult] | None = None

    async def run(self) -> WorkflowHandle[InterviewWorkflow, InterviewResult]:
        self.handle = await self.env.client.start_workflow(
            InterviewWorkflow.run,
            self.start,
            id=self.start.interview_id,
            task_queue=self.task_queue,
        )
        return self.handle

    async def skip_to(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        assert moment > now, (moment, now)
        await self.env.sleep(moment - now)

    async def status(self) -> InterviewStatus:
        assert self.handle is not None
        return (await self.handle.query(InterviewWorkflow.status)).status

    def at(self, template: str) -> list[datetime]:
        return [n.at for n in self.doubles.notices(template) if n.at is not None]


@pytest.fixture
async def interview(time_env: WorkflowEnvironment) -> AsyncIterator[Interview]:
    doubles = Doubles()
    ids = hire_ids()
    start = InterviewStart(
        **ids,
        interview_id=interview_workflow_id(ids["job_post_id"], ids["contractor_id"], 1),
        round=1,
        round_spec=Round(kind=RoundKind.TECHNICAL, duration_minutes=60),
        panel=[f"u_p{uuid.uuid4().hex[:8]}"],
    )
    async with worker_with(time_env, doubles) as task_queue:
        yield Interview(time_env, doubles, task_queue, start)


async def test_the_take_home_reminds_24_h_before_due_goes_overdue_and_an_extension_restarts_it(
    interview: Interview,
) -> None:
    interview.start.round_spec.assessment = Assessment(instructions="Build a CLI", due_days=3)
    sent = await interview.env.get_current_time()
    handle = await interview.run()
    due = sent + 3 * DAY
    await interview.skip_to(due + HOUR)
    assert await interview.status() == InterviewStatus.ASSESSMENT_OVERDUE
    assert same_moments(interview.at("assessment_reminder"), [due - DAY])
    [overdue] = interview.doubles.notices("assessment_overdue")
    assert overdue.recipient_ids == [interview.start.owner_id]
    assert same_moments([overdue.at], [due])

    extended = await handle.execute_update(
        InterviewWorkflow.extend_assessment, AssessmentExtension(extra_days=2)
    )
    assert extended.status == InterviewStatus.AWAITING_ASSESSMENT
    assert extended.assessment is not None
    new_due = extended.assessment.due_at
    assert same_moments([new_due], [due + 2 * DAY])
    with pytest.raises(WorkflowUpdateFailedError) as too_far:
        await handle.execute_update(
            InterviewWorkflow.extend_assessment,
            AssessmentExtension(due_at=sent + 3 * DAY + 61 * DAY),
        )
    assert "at most 60 days from now" in str(too_far.value.cause)
    await interview.skip_to(new_due - DAY + HOUR)
    assert same_moments(interview.at("assessment_reminder"), [due - DAY, new_due - DAY])
    submitted = await handle.execute_update(
        InterviewWorkflow.submit_assessment, AssessmentSubmission(link="https://example.com/cli")
    )
    assert submitted.status == InterviewStatus.AWAITING_SLOT
    assert submitted.assessment is not None and submitted.assessment.late is False
    await handle.execute_update(InterviewWorkflow.caught_up)
    await interview.skip_to(new_due + HOUR)
    assert len(interview.doubles.notices("assessment_overdue")) == 1  # not again after submission
    [told] = interview.doubles.notices("assessment_submitted")
    assert told.recipient_ids == [interview.start.owner_id, *interview.start.panel]
    assert told.context["late"] is False
    assert [n.template for n in interview.doubles.notices("interview_requested")] == [
        "interview_requested"
    ]


async def test_a_booking_is_reminded_24_h_and_1_h_before_and_its_outcome_daily_after(
    interview: Interview,
) -> None:
    handle = await interview.run()
    now = await interview.env.get_current_time()
    begins = now.replace(microsecond=0) + 3 * DAY
    ends = begins + HOUR
    await handle.signal(
        InterviewWorkflow.slot_booked,
        SlotBooked(
            interview_id=interview.start.interview_id,
            slot_id="sl_1",
            start=begins,
            end=ends,
            booked_at=now,
        ),
    )
    await interview.skip_to(begins + 10 * timedelta(minutes=1))
    assert await interview.status() == InterviewStatus.BOOKED
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await handle.execute_update(
            InterviewWorkflow.record_outcome, Outcome(outcome=OutcomeKind.COMPLETED)
        )
    assert "the outcome can be recorded once the interview has ended" in str(early.value.cause)
    reminders = interview.doubles.notices("interview_reminder")
    assert [n.context["before"] for n in reminders] == ["24h", "1h"]
    assert same_moments([n.at for n in reminders], [begins - 24 * HOUR, begins - HOUR])
    everyone = [interview.start.contractor_id, interview.start.owner_id, *interview.start.panel]
    assert all(n.recipient_ids == everyone for n in reminders)

    await interview.skip_to(ends + 10 * DAY)
    assert await interview.status() == InterviewStatus.AWAITING_OUTCOME
    asked = interview.at("outcome_reminder")
    # 1 h after the end, then the same time on each of the next 5 business days: 6 in all.
    assert same_moments(asked[:1], [ends + HOUR])
    assert [business_days_after(ends + HOUR, at, set()) for at in asked] == [0, 1, 2, 3, 4, 5]
    assert all(same_time_of_day(at, asked[0]) for at in asked)
    with pytest.raises(WorkflowUpdateFailedError) as no_side:
        await handle.execute_update(
            InterviewWorkflow.record_outcome, Outcome(outcome=OutcomeKind.NO_SHOW)
        )
    assert "no_show_side is required" in str(no_side.value.cause)
    await handle.execute_update(
        InterviewWorkflow.record_outcome,
        Outcome(outcome=OutcomeKind.NO_SHOW, no_show_side=NoShowSide.CONTRACTOR),
    )
    result = await handle.result()
    assert result.status == InterviewStatus.NO_SHOW
    assert result.booking is not None and result.booking.slot_id == "sl_1"
    assert "thank_interviewer_nudge" not in interview.doubles.templates()  # only when completed


async def _events_since_signal(
    handle: WorkflowHandle[InterviewWorkflow, InterviewResult], signal: str
) -> list[str]:
    """The kinds of the history's events from the (last) signal named `signal` on."""
    events = (await handle.fetch_history()).events
    at = max(
        i
        for i, e in enumerate(events)
        if e.HasField("workflow_execution_signaled_event_attributes")
        and e.workflow_execution_signaled_event_attributes.signal_name == signal
    )
    return [str(e.WhichOneof("attributes")).removesuffix("_event_attributes") for e in events[at:]]


async def _booked_by_the_pool(
    interview: Interview,
) -> tuple[WorkflowHandle[InterviewWorkflow, InterviewResult], datetime]:
    """The interview waits in the pool, then hears of the pool's booking 3 days ahead."""
    handle = await interview.run()
    await eventually(
        handle.fetch_history,
        lambda h: (
            interview.doubles.args("tell_slot_pool")
            and h.events[-1].HasField("workflow_task_completed_event_attributes")
        ),
    )
    now = await interview.env.get_current_time()
    begins = now.replace(microsecond=0) + 3 * DAY
    booked = SlotBooked(
        interview_id=interview.start.interview_id,
        slot_id="sl_1",
        start=begins,
        end=begins + HOUR,
        booked_at=now,
    )
    await handle.signal(InterviewWorkflow.slot_booked, booked)
    return handle, begins


async def test_a_booking_writes_seven_events_the_invite_sent_within_its_one_workflow_task(
    interview: Interview,
) -> None:
    handle, begins = await _booked_by_the_pool(interview)
    events = await eventually(
        lambda: _events_since_signal(handle, "slot_booked"),
        lambda e: "marker_recorded" in e,
    )
    # The signal, its one workflow task, the status and start in one upsert, the 24 h
    # reminder's timer and the invite sent as a local activity (its marker): no activity task,
    # no second workflow task.
    assert sorted(events) == sorted(
        [
            "workflow_execution_signaled",
            "workflow_task_scheduled",
            "workflow_task_started",
            "workflow_task_completed",
            "upsert_workflow_search_attributes",
            "timer_started",
            "marker_recorded",
        ]
    )
    assert events[:4] == [
        "workflow_execution_signaled",
        "workflow_task_scheduled",
        "workflow_task_started",
        "workflow_task_completed",
    ]
    [invite] = interview.doubles.args("send_invite_at_once")
    assert (invite.method, invite.sequence, invite.start) == ("REQUEST", 0, begins)
    assert interview.doubles.args("send_invite") == []


async def test_an_invite_not_sent_at_once_goes_out_as_an_activity_that_retries(
    interview: Interview,
) -> None:
    def mail_server_silent(_request: object) -> int:
        raise ApplicationError("1 email(s) left for a later attempt", type="EmailsLeft")

    interview.doubles.answers["send_invite_at_once"] = mail_server_silent
    handle, begins = await _booked_by_the_pool(interview)
    await eventually(
        lambda: _events_since_signal(handle, "slot_booked"),
        lambda e: "activity_task_completed" in e,
    )
    [tried] = interview.doubles.args("send_invite_at_once")
    [sent] = interview.doubles.args("send_invite")
    assert sent == tried
    assert (sent.method, sent.sequence, sent.start) == ("REQUEST", 0, begins)
