"""Candidacies: applying, inviting, stage moves, interview requests and decisions."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api import pending_bookings
from api.access import candidacy_for, job_post_for_owner, open_job_post, refuse_closed
from api.deps import AppSettings, Caller, ClientUser, ContractorUser, Now, Session, Temporal
from api.lists import page_of, total_of, visible_to
from api.panels import interview_panel
from api.schemas import Page, Paging
from contracts.hiring import (
    CandidacyStart,
    CandidacyState,
    Decision,
    DecisionKind,
    InterviewRequest,
    RejectRequest,
    ShortlistRequest,
    WithdrawRequest,
)
from domain.ids import candidacy_workflow_id
from domain.job_posts import JobPostStatus
from domain.plans import Round
from domain.roles import Role
from domain.scorecards import MAX_PANEL_SIZE
from domain.stages import Stage
from store.models import Candidacy, Company, JobPost, User
from workflows import search_attributes as sa
from workflows import summaries
from workflows.candidacy import CandidacyWorkflow

router = APIRouter(tags=["candidacies"])


class CandidacyOut(BaseModel):
    id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    source: str
    stage: str
    round: int
    rounds_total: int
    created_at: datetime
    updated_at: datetime


class InvitationIn(BaseModel):
    contractor_id: str


class RejectIn(BaseModel):
    feedback: str | None = Field(default=None, max_length=2000)


class WithdrawIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class InterviewRequestIn(BaseModel):
    message: str | None = Field(default=None, max_length=2000)
    panel: list[str] | None = Field(
        default=None,
        max_length=MAX_PANEL_SIZE,
        description="user ids of the company's clients who interview and send scorecards; "
        "the requesting client when omitted",
    )


class InterviewRequestOut(BaseModel):
    interview_id: str
    candidacy: CandidacyState


class DecisionIn(BaseModel):
    decision: str = Field(pattern="^(advance|reject|hold)$")
    feedback: str | None = Field(default=None, max_length=2000)


async def _start_candidacy(
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    job_post: JobPost,
    contractor_id: str,
    source: str,
    now: datetime,
    response: Response,
) -> CandidacyOut:
    """Start the candidacy (201), or answer the existing one (200).

    The workflow starts first, under the candidacy's own id, and the row follows: a request
    that fails between the two leaves a workflow whose first stage change stores the row, and
    its retry answers it; a row whose workflow never started (stored by an older release that
    wrote the row first) gets its workflow on the retry. A row is never removed."""
    candidacy_id = candidacy_workflow_id(job_post.id, contractor_id)
    existing = await session.get(Candidacy, candidacy_id)
    if existing is not None and existing.version > 0:  # its workflow has stored it: it exists
        response.status_code = 200
        return CandidacyOut.model_validate(existing, from_attributes=True)
    company = await session.get(Company, job_post.company_id)
    assert company is not None
    rounds = [Round.model_validate(r) for r in job_post.interview_plan]
    stage = Stage.APPLIED if source == "applied" else Stage.SHORTLISTED
    try:
        await temporal.start(
            CandidacyWorkflow.run,
            CandidacyStart(
                candidacy_id=candidacy_id,
                job_post_id=job_post.id,
                company_id=job_post.company_id,
                owner_id=job_post.owner_id,
                contractor_id=contractor_id,
                source=source,
                rounds=rounds,
                client_tz=company.billing_tz,
                holidays=company.holidays,
            ),
            id=candidacy_id,
            task_queue=settings.temporal_task_queue,
            # One candidacy per contractor and job post, ever: an ended one is not started again.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=sa.for_candidacy(
                job_post.id, job_post.company_id, contractor_id, stage.value
            ),
            static_summary=summaries.candidacy_summary(contractor_id, job_post.id),
            static_details=summaries.candidacy_details(source, rounds),
        )
        started = True
    except WorkflowAlreadyStartedError:  # by a request before this one
        started = False
    row = existing or await _stored(
        session,
        Candidacy(
            id=candidacy_id,
            job_post_id=job_post.id,
            company_id=job_post.company_id,
            contractor_id=contractor_id,
            source=source,
            stage=stage.value,
            rounds_total=len(rounds),
            created_at=now,
            updated_at=now,
        ),
    )
    # A close that listed the open candidacies just before this one was stored never saw it:
    # the post closed meanwhile, so this candidacy ends at once, as the others did.
    await session.refresh(job_post)
    if job_post.status != JobPostStatus.OPEN:
        await temporal.close_candidacies(job_post.id, [candidacy_id])
        raise HTTPException(409, "this job post was closed")
    response.status_code = 201 if started else 200
    return CandidacyOut.model_validate(row, from_attributes=True)


async def _stored(session: Session, row: Candidacy) -> Candidacy:
    """The candidacy's row: this one, or the one its workflow (or a concurrent request) stored
    first."""
    session.add(row)
    try:
        await session.commit()
        return row
    except IntegrityError:
        await session.rollback()
    existing = await session.get(Candidacy, row.id)
    assert existing is not None
    return existing


@router.post("/job-posts/{job_post_id}/applications", response_model=CandidacyOut, status_code=201)
async def apply(
    job_post_id: str,
    user: ContractorUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
    response: Response,
) -> CandidacyOut:
    """Apply to a job post: starts the candidacy. Applying twice answers the existing one (200)."""
    job_post = await open_job_post(session, job_post_id)
    return await _start_candidacy(
        session, temporal, settings, job_post, user.id, "applied", now, response
    )


@router.post("/job-posts/{job_post_id}/invitations", response_model=CandidacyOut, status_code=201)
async def invite(
    job_post_id: str,
    body: InvitationIn,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
    response: Response,
) -> CandidacyOut:
    """Invite a contractor to interview: starts the candidacy, already shortlisted."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    refuse_closed(job_post)
    contractor = await session.get(User, body.contractor_id)
    if contractor is None or contractor.role != Role.CONTRACTOR:
        raise HTTPException(422, f"contractor_id {body.contractor_id!r} is not a contractor")
    return await _start_candidacy(
        session, temporal, settings, job_post, contractor.id, "invited", now, response
    )


@router.get("/candidacies/{candidacy_id}", response_model=CandidacyState)
async def get_candidacy(
    candidacy_id: str, user: Caller, session: Session, temporal: Temporal
) -> CandidacyState:
    """Live state, from the workflow (a booking the slot pool has just made shows at once)."""
    await candidacy_for(session, user, candidacy_id, client=True, contractor=True, ops=True)
    return await pending_bookings.candidacy_state(temporal, session, candidacy_id)


@router.get("/candidacies", response_model=Page[CandidacyOut])
async def list_candidacies(
    user: Caller,
    session: Session,
    paging: Paging,
    job_post_id: str | None = None,
    stage: Stage | None = None,
) -> Page[CandidacyOut]:
    """The caller's own: their company's (client), their own (contractor), all (ops)."""
    statement = visible_to(user, select(Candidacy), Candidacy)
    if job_post_id:
        statement = statement.where(Candidacy.job_post_id == job_post_id)
    if stage:
        statement = statement.where(Candidacy.stage == stage.value)
    total = await total_of(session, statement)
    rows = await session.exec(page_of(statement.order_by(col(Candidacy.created_at).desc()), paging))
    items = [CandidacyOut.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


async def _updated(
    session: Session,
    temporal: Temporal,
    user: User,
    candidacy_id: str,
    method: Any,
    request: Any,
    *,
    client: bool = True,
    contractor: bool = False,
    ops: bool = False,
) -> CandidacyState:
    """The candidacy's state after the update, run when the caller is among the allowed parties
    (by default the job post's owner)."""
    await candidacy_for(session, user, candidacy_id, client=client, contractor=contractor, ops=ops)
    state: CandidacyState = await temporal.update(candidacy_id, method, request)
    return state


@router.post("/candidacies/{candidacy_id}/shortlist", response_model=CandidacyState)
async def shortlist(
    candidacy_id: str, user: Caller, session: Session, temporal: Temporal
) -> CandidacyState:
    """Shortlist an application (the job post's owner or ops)."""
    return await _updated(
        session,
        temporal,
        user,
        candidacy_id,
        CandidacyWorkflow.shortlist,
        ShortlistRequest(by=user.id),
        ops=True,
    )


@router.post("/candidacies/{candidacy_id}/reject", response_model=CandidacyState)
async def reject(
    candidacy_id: str, body: RejectIn, user: Caller, session: Session, temporal: Temporal
) -> CandidacyState:
    """Reject at any stage, with brief feedback for the contractor (a kind default if none)."""
    request = RejectRequest(feedback=body.feedback, by=user.id)
    return await _updated(session, temporal, user, candidacy_id, CandidacyWorkflow.reject, request)


@router.post("/candidacies/{candidacy_id}/withdraw", response_model=CandidacyState)
async def withdraw(
    candidacy_id: str, body: WithdrawIn, user: Caller, session: Session, temporal: Temporal
) -> CandidacyState:
    """The contractor withdraws their candidacy."""
    request = WithdrawRequest(reason=body.reason)
    return await _updated(
        session,
        temporal,
        user,
        candidacy_id,
        CandidacyWorkflow.withdraw,
        request,
        client=False,
        contractor=True,
    )


@router.post("/candidacies/{candidacy_id}/interview-requests", response_model=InterviewRequestOut)
async def request_interview(
    candidacy_id: str,
    body: InterviewRequestIn,
    user: Caller,
    session: Session,
    temporal: Temporal,
) -> InterviewRequestOut:
    """Request the next round's interview; the contractor is asked to pick a slot."""
    candidacy = await candidacy_for(
        session, user, candidacy_id, client=True, contractor=False, ops=False
    )
    panel = await interview_panel(session, candidacy.company_id, body.panel, user.id)
    interview_id: str = await temporal.update(
        candidacy_id,
        CandidacyWorkflow.request_interview,
        InterviewRequest(message=body.message, by=user.id, panel=panel),
    )
    state: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    return InterviewRequestOut(interview_id=interview_id, candidacy=state)


@router.post("/candidacies/{candidacy_id}/decision", response_model=CandidacyState)
async def decide(
    candidacy_id: str, body: DecisionIn, user: Caller, session: Session, temporal: Temporal
) -> CandidacyState:
    """After a round: advance, reject (with feedback) or hold. An advance answers once the
    candidacy has moved on: the next round's interview request, or the offer, can follow."""
    decision = Decision(decision=DecisionKind(body.decision), feedback=body.feedback, by=user.id)
    state = await _updated(
        session, temporal, user, candidacy_id, CandidacyWorkflow.decide, decision
    )
    taken = await temporal.await_next_step(candidacy_id, CandidacyWorkflow.decision_taken)
    return taken or state
