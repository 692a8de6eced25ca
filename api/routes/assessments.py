"""Take-home assessments: the contractor submits, the client extends. The state lives in the
current round's interview workflow; these paths are the candidacy's, as the API fixes them.

Overdue, the client may also advance anyway (POST /candidacies/{id}/decision, advance: the
interview becomes bookable without a submission) or reject (POST /candidacies/{id}/reject)."""

from fastapi import APIRouter, HTTPException

from api.access import candidacy_for
from api.deps import Caller, Session, Temporal
from contracts.hiring import (
    AssessmentExtension,
    AssessmentSubmission,
    CandidacyState,
    InterviewState,
)
from domain.stages import Stage
from workflows.candidacy import CandidacyWorkflow
from workflows.interview import InterviewWorkflow

router = APIRouter(tags=["assessments"])


async def _current_interview(temporal: Temporal, candidacy_id: str) -> str:
    state: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    current = state.interviews[-1] if state.interviews else None
    if state.stage != Stage.INTERVIEWING or current is None or current.round != state.round:
        raise HTTPException(
            409, f"no interview round is in progress; this candidacy is {state.stage.value}"
        )
    return current.interview_id


@router.post(
    "/candidacies/{candidacy_id}/assessment/submission",
    response_model=InterviewState,
    responses={409: {"description": "no assessment open for the current round"}},
)
async def submit(
    candidacy_id: str,
    body: AssessmentSubmission,
    user: Caller,
    session: Session,
    temporal: Temporal,
) -> InterviewState:
    """The contractor hands in the current round's take-home: a link, text, or both. A late
    submission is accepted (and marked late) until the client has decided otherwise."""
    await candidacy_for(session, user, candidacy_id, client=False, contractor=True, ops=False)
    interview_id = await _current_interview(temporal, candidacy_id)
    state: InterviewState = await temporal.update(
        interview_id, InterviewWorkflow.submit_assessment, body
    )
    return state


@router.post(
    "/candidacies/{candidacy_id}/assessment/extension",
    response_model=InterviewState,
    responses={
        409: {"description": "no assessment open for the current round"},
        422: {"description": "the new due date is past or more than 60 days away"},
    },
)
async def extend(
    candidacy_id: str,
    body: AssessmentExtension,
    user: Caller,
    session: Session,
    temporal: Temporal,
) -> InterviewState:
    """The client moves the due date: `due_at` (a new date) or `extra_days` (added to the
    current due date). The contractor is told; the 24 h reminder follows the new date."""
    await candidacy_for(session, user, candidacy_id, client=True, contractor=False, ops=False)
    interview_id = await _current_interview(temporal, candidacy_id)
    state: InterviewState = await temporal.update(
        interview_id,
        InterviewWorkflow.extend_assessment,
        body.model_copy(update={"by": user.id}),
    )
    return state
