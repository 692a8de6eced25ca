"""CandidacyWorkflow alone (its rounds' InterviewWorkflows as children), activities replaced by
doubles: the application's review clock in business days (reminder at 5, the contractor's update
at 7, holidays skipped), the round's decision clock after the interview's end, an ending that
cancels the running interview and gives its slot back, and an ending at the offer stage that
withdraws the open offer; the offer's outcome moves the stage. New runs record one patch marker
per behaviour, never the id that once gated the endings' behaviours together."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from contracts.hiring import (
    CandidacyStart,
    CandidacyState,
    Decision,
    DecisionKind,
    InterviewRequest,
    InterviewResult,
    InterviewStatus,
    Outcome,
    OutcomeKind,
    RejectRequest,
    SavedScorecard,
    SaveScorecard,
    ScorecardSubmission,
    ShortlistRequest,
)
from contracts.notify import CANCEL, InviteRequest
from contracts.offer import OfferOutcome, OfferOutcomeKind
from contracts.slot_pool import SlotBooked
from domain.feedback import DEFAULT_REJECTION_FEEDBACK
from domain.plans import Round, RoundKind
from domain.stages import Stage
from tests.helpers import eventually
from tests.workflows.calendar import (
    business_days_after,
    next_business_day,
    same_moments,
    same_time_of_day,
)
from tests.workflows.doubles import Doubles, hire_ids, worker_with
from workflows.candidacy import (
    ENDING_NOTICES_AFTER_THE_INTERVIEW_PATCH,
    ENDINGS_PATCH,
    INTERVIEW_TOLD_OF_THE_ENDING_PATCH,
    OFFER_OUTCOME_PATCH,
    OPEN_OFFER_WITHDRAWN_PATCH,
    ROUND_REQUESTED_AGAIN_PATCH,
    CandidacyWorkflow,
)
from workflows.interview import InterviewWorkflow

DAY = timedelta(days=1)
SCREENING = Round(kind=RoundKind.SCREENING, duration_minutes=30)


@dataclass
class Candidacy:
    env: WorkflowEnvironment
    doubles: Doubles
    task_queue: str
    start: CandidacyStart

    async def run(self) -> WorkflowHandle[CandidacyWorkflow, CandidacyState]:
        return await self.env.client.start_workflow(
            CandidacyWorkflow.run,
            self.start,
            id=self.start.candidacy_id,
            task_queue=self.task_queue,
        )

    async def invited_with_a_round(
        self,
    ) -> tuple[WorkflowHandle[CandidacyWorkflow, CandidacyState], str]:
        """An invited contractor's candidacy, its client requesting round 1: its interview id."""
        self.start.source = "invited"
        handle = await self.run()
        interview_id = await handle.execute_update(
            CandidacyWorkflow.request_interview, InterviewRequest(by=self.start.owner_id)
        )
        return handle, interview_id

    async def skip(self, delta: timedelta) -> None:
        await self.env.sleep(delta)

    async def stage(self, handle: WorkflowHandle[CandidacyWorkflow, CandidacyState]) -> Stage:
        return (await handle.query(CandidacyWorkflow.status)).stage

    async def booked(
        self, interview_id: str, ahead: timedelta, slot_id: str = "sl_1"
    ) -> tuple[WorkflowHandle[InterviewWorkflow, InterviewResult], datetime]:
        """The round's slot pool books a 30-minute slot `ahead` of now for the interview (as
        its signal does); answers the interview and the booking's end."""
        interview = self.env.client.get_workflow_handle_for(InterviewWorkflow.run, interview_id)
        now = await self.env.get_current_time()
        begins = now.replace(microsecond=0) + ahead
        ends = begins + timedelta(minutes=30)
        await interview.signal(
            InterviewWorkflow.slot_booked,
            SlotBooked(
                interview_id=interview_id, slot_id=slot_id, start=begins, end=ends, booked_at=now
            ),
        )
        await interview.execute_update(InterviewWorkflow.caught_up)
        return interview, ends

    async def completed(self, interview_id: str) -> datetime:
        """Booked 2 days ahead, held, and recorded completed; answers when it ended."""
        interview, ends = await self.booked(interview_id, 2 * DAY)
        await self.skip(ends - await self.env.get_current_time() + timedelta(minutes=5))
        await interview.execute_update(
            InterviewWorkflow.record_outcome, Outcome(outcome=OutcomeKind.COMPLETED)
        )
        return ends


@pytest.fixture
async def candidacy(time_env: WorkflowEnvironment) -> AsyncIterator[Candidacy]:
    doubles = Doubles()
    start = CandidacyStart(**hire_ids(), source="applied", rounds=[SCREENING])
    async with worker_with(time_env, doubles) as task_queue:
        yield Candidacy(time_env, doubles, task_queue, start)


def times(doubles: Doubles, template: str) -> list[datetime]:
    return [n.at for n in doubles.notices(template) if n.at is not None]


async def test_an_unreviewed_application_reminds_at_5_business_days_and_updates_at_7(
    candidacy: Candidacy,
) -> None:
    applied = await candidacy.env.get_current_time()
    holiday = next_business_day(applied.date())
    candidacy.start.holidays = [holiday.isoformat()]
    handle = await candidacy.run()
    await candidacy.skip(15 * DAY)
    assert await candidacy.stage(handle) == Stage.APPLIED
    [reminded] = times(candidacy.doubles, "application_review_reminder")
    [updated] = times(candidacy.doubles, "application_status_update")
    for moment, business_days in ((reminded, 5), (updated, 7)):
        assert business_days_after(applied, moment, {holiday}) == business_days
        assert moment.weekday() < 5 and moment.date() != holiday
        assert same_time_of_day(moment, applied)
    [to_owner] = candidacy.doubles.notices("application_review_reminder")
    [to_contractor] = candidacy.doubles.notices("application_status_update")
    assert to_owner.recipient_ids == [candidacy.start.owner_id]
    assert to_contractor.recipient_ids == [candidacy.start.contractor_id]

    await handle.execute_update(
        CandidacyWorkflow.reject, RejectRequest(feedback="  ", by=candidacy.start.owner_id)
    )
    state = await handle.result()
    assert state.stage == Stage.REJECTED
    [rejected] = candidacy.doubles.notices("candidacy_rejected")
    assert rejected.context["feedback"] == DEFAULT_REJECTION_FEEDBACK  # blank feedback: the default


async def test_an_application_shortlisted_within_5_business_days_sends_no_reminder(
    candidacy: Candidacy,
) -> None:
    handle = await candidacy.run()
    await candidacy.skip(DAY)
    shortlisted = await handle.execute_update(
        CandidacyWorkflow.shortlist, ShortlistRequest(by=candidacy.start.owner_id)
    )
    assert shortlisted.stage == Stage.SHORTLISTED
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(
            CandidacyWorkflow.shortlist, ShortlistRequest(by=candidacy.start.owner_id)
        )
    assert "only an application can be shortlisted" in str(again.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await handle.execute_update(
            CandidacyWorkflow.decide,
            Decision(decision=DecisionKind.ADVANCE, by=candidacy.start.owner_id),
        )
    assert "no decision is due; this candidacy is shortlisted" in str(early.value.cause)
    await candidacy.skip(15 * DAY)
    templates = candidacy.doubles.templates()
    assert "application_review_reminder" not in templates
    assert "application_status_update" not in templates
    assert templates.count("shortlisted") == 1


async def test_a_round_then_the_decision_clock_then_the_offer_and_its_outcome(
    candidacy: Candidacy,
) -> None:
    start = candidacy.start
    handle, interview_id = await candidacy.invited_with_a_round()
    ends = await candidacy.completed(interview_id)
    await candidacy.skip(8 * DAY)
    state = await handle.query(CandidacyWorkflow.status)
    assert state.stage == Stage.DECISION_PENDING
    assert state.interviews[0].status == InterviewStatus.COMPLETED.value
    # The client is reminded at 3 and 5 business days after the end, then every business day;
    # the contractor hears "still under review" at 5.
    reminders = candidacy.doubles.notices("decision_reminder")
    counted = [business_days_after(ends, n.at, set()) for n in reminders if n.at]
    assert counted == [3, *range(5, counted[-1] + 1)] and len(counted) >= 2
    assert [n.context["business_days"] for n in reminders] == counted
    assert all(same_time_of_day(n.at, ends) for n in reminders if n.at)
    [still] = candidacy.doubles.notices("decision_still_under_review")
    assert still.at is not None and business_days_after(ends, still.at, set()) == 5

    await handle.execute_update(
        CandidacyWorkflow.decide, Decision(decision=DecisionKind.ADVANCE, by=start.owner_id)
    )
    await handle.execute_update(CandidacyWorkflow.decision_taken)
    assert await candidacy.stage(handle) == Stage.OFFER
    await handle.signal(
        CandidacyWorkflow.offer_outcome,
        OfferOutcome(outcome=OfferOutcomeKind.DECLINED, offer_id="offer-x", reason="rate"),
    )
    state = await handle.result()
    assert state.stage == Stage.OFFER_DECLINED
    assert state.history[-1].note == "rate"
    assert [c.stage for c in state.history] == [
        Stage.SHORTLISTED,
        Stage.INTERVIEWING,
        Stage.DECISION_PENDING,
        Stage.OFFER,
        Stage.OFFER_DECLINED,
    ]


async def test_scorecards_one_per_panel_member_reminded_1_h_after_the_end_while_missing(
    candidacy: Candidacy,
) -> None:
    start = candidacy.start
    start.source = "invited"
    member = f"u_panel{uuid.uuid4().hex[:6]}"
    candidacy.doubles.answers["save_scorecard"] = saved
    handle = await candidacy.run()
    interview_id = await handle.execute_update(
        CandidacyWorkflow.request_interview,
        InterviewRequest(by=start.owner_id, panel=[start.owner_id, member]),
    )
    ends = await candidacy.completed(interview_id)
    first = await handle.execute_update(
        CandidacyWorkflow.submit_scorecard, scorecard(interview_id, start.owner_id, "yes")
    )
    again = await handle.execute_update(
        CandidacyWorkflow.submit_scorecard, scorecard(interview_id, start.owner_id, "strong_yes")
    )
    assert (first.replaced, again.replaced) == (False, True)
    with pytest.raises(WorkflowUpdateFailedError) as stranger:
        await handle.execute_update(
            CandidacyWorkflow.submit_scorecard, scorecard(interview_id, "u_stranger", "no")
        )
    assert "only the interview's panel members send scorecards" in str(stranger.value.cause)
    await candidacy.skip(4 * DAY)
    reminders = candidacy.doubles.notices("scorecard_reminder")
    # Only the member still missing one is reminded: 1 h after the end, then each business day.
    assert {tuple(n.recipient_ids) for n in reminders} == {(member,)}
    moments = [n.at for n in reminders if n.at]
    assert same_moments(moments[:1], [ends + timedelta(hours=1)])
    assert [business_days_after(ends, at, set()) for at in moments] == list(range(len(moments)))
    await handle.execute_update(
        CandidacyWorkflow.submit_scorecard, scorecard(interview_id, member, "strong_no")
    )
    sent = len(reminders)
    await candidacy.skip(4 * DAY)
    assert len(candidacy.doubles.notices("scorecard_reminder")) == sent  # none once all are in
    assert [s.submission.rating for s in candidacy.doubles.args("save_scorecard")] == [
        "yes",
        "strong_yes",
        "strong_no",
    ]


def scorecard(interview_id: str, member: str, rating: str) -> ScorecardSubmission:
    return ScorecardSubmission.model_validate(
        {"interview_id": interview_id, "panel_member_id": member, "rating": rating}
    )


def saved(request: SaveScorecard) -> SavedScorecard:
    return SavedScorecard(
        interview_id=request.submission.interview_id,
        candidacy_id=request.candidacy_id,
        round=request.round,
        panel_member_id=request.submission.panel_member_id,
        rating=request.submission.rating,
        notes=request.submission.notes,
        submitted_at=request.at,
        updated_at=request.at,
    )


async def test_rejection_cancels_the_booked_interview_and_gives_its_slot_back(
    candidacy: Candidacy,
) -> None:
    start = candidacy.start
    handle, interview_id = await candidacy.invited_with_a_round()
    interview, _ = await candidacy.booked(interview_id, 3 * DAY, slot_id="sl_kept")
    await handle.execute_update(
        CandidacyWorkflow.reject, RejectRequest(feedback="Another profile", by=start.owner_id)
    )
    state = await handle.result()
    assert state.stage == Stage.REJECTED
    with pytest.raises(WorkflowFailureError):  # the interview ended cancelled
        await interview.result()
    ended = await interview.query(InterviewWorkflow.status)
    assert ended.status == InterviewStatus.CANCELLED
    [cancellation] = ended.cancellations
    assert (cancellation.cause, cancellation.slot_id, cancellation.late) == (
        "rejected",
        "sl_kept",
        False,
    )
    [released] = candidacy.doubles.args("release_slot")
    assert (released.slot_id, released.interview_id, released.reopen) == (
        "sl_kept",
        interview_id,
        True,
    )
    # The calendar cancellation rides on the rejection notice: same event key, so the contractor
    # hears of the rejection once (one notification per event and recipient).
    [notice] = candidacy.doubles.notices("candidacy_rejected")
    rejection = next(i for i in cancelled_invites(candidacy) if i.template == "candidacy_rejected")
    assert (rejection.event_key, rejection.sequence) == (notice.event_key, 1)
    assert start.contractor_id in rejection.recipient_ids
    assert "interview_reminder" not in candidacy.doubles.templates()


def cancelled_invites(candidacy: Candidacy) -> list[InviteRequest]:
    return [i for i in candidacy.doubles.invites() if i.method == CANCEL]


async def test_ending_at_the_offer_stage_withdraws_the_open_offer(candidacy: Candidacy) -> None:
    start = candidacy.start
    start.source, start.rounds = "invited", []
    handle = await candidacy.run()
    await eventually(lambda: candidacy.stage(handle), lambda stage: stage == Stage.OFFER)
    await handle.execute_update(
        CandidacyWorkflow.reject, RejectRequest(feedback="Budget cut", by=start.owner_id)
    )
    state = await handle.result()
    assert state.stage == Stage.REJECTED
    patches = await patch_markers(handle)
    assert {OFFER_OUTCOME_PATCH, OPEN_OFFER_WITHDRAWN_PATCH} <= patches
    assert ENDINGS_PATCH not in patches
    [withdrawn] = candidacy.doubles.args("withdraw_open_offer")
    assert withdrawn.offer_id == f"offer-{start.job_post_id}-{start.contractor_id}"
    assert withdrawn.reason == "the candidacy was rejected"
    [rejected] = candidacy.doubles.notices("candidacy_rejected")
    assert (rejected.recipient_ids, rejected.context["feedback"]) == (
        [start.contractor_id],
        "Budget cut",
    )


async def test_a_rejection_while_interviewing_records_a_patch_marker_per_behaviour(
    candidacy: Candidacy,
) -> None:
    start = candidacy.start
    handle, interview_id = await candidacy.invited_with_a_round()
    await handle.execute_update(
        CandidacyWorkflow.reject, RejectRequest(feedback="Another profile", by=start.owner_id)
    )
    assert (await handle.result()).stage == Stage.REJECTED
    interview = candidacy.env.client.get_workflow_handle_for(InterviewWorkflow.run, interview_id)
    assert (await interview.query(InterviewWorkflow.status)).status == InterviewStatus.CANCELLED
    patches = await patch_markers(handle)
    assert {
        ROUND_REQUESTED_AGAIN_PATCH,
        INTERVIEW_TOLD_OF_THE_ENDING_PATCH,
        ENDING_NOTICES_AFTER_THE_INTERVIEW_PATCH,
    } <= patches
    assert ENDINGS_PATCH not in patches


async def patch_markers(handle: WorkflowHandle[CandidacyWorkflow, CandidacyState]) -> set[str]:
    """The ids of the patch markers in the run's history (each marker's details: its id in JSON)."""
    history = await handle.fetch_history()
    return {
        json.loads(marker.details["patch-data"].payloads[0].data)["id"]
        for marker in (
            event.marker_recorded_event_attributes
            for event in history.events
            if event.HasField("marker_recorded_event_attributes")
        )
        if marker.marker_name == "core_patch"
    }
