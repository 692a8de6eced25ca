"""Offers: the client sends, revises or withdraws; the contractor accepts, declines or counters."""

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.access import candidacy_for
from api.deps import AppSettings, Caller, ClientUser, ContractorUser, Now, Session, Temporal
from api.engagement_access import offer_for
from api.errors import ProcessEnded
from api.schemas import MAX_RATE_CENTS, MAX_VERSION
from contracts.hiring import CandidacyState
from contracts.offer import (
    ANSWERED,
    AcceptRequest,
    CounterRequest,
    DeclineRequest,
    OfferStart,
    OfferState,
    OfferStatus,
    ReviseRequest,
    WithdrawOfferRequest,
)
from domain.offers import OfferTerms, WeeklyHours, offer_workflow_id, start_date_problems
from domain.proration import billing_date
from domain.roles import Role
from domain.stages import Stage
from store.models import Company, User
from workflows import search_attributes as sa
from workflows import summaries
from workflows.candidacy import CandidacyWorkflow
from workflows.offer import OfferWorkflow, initial_offer_state

router = APIRouter(tags=["offers"])


class AcceptIn(BaseModel):
    version: int = Field(
        ge=1, le=MAX_VERSION, description="the version being accepted: only the latest can be"
    )


class DeclineIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class CounterIn(BaseModel):
    version: int = Field(ge=1, le=MAX_VERSION, description="the version this counter answers")
    hourly_rate_cents: int = Field(gt=0, le=MAX_RATE_CENTS)
    hours_per_week: WeeklyHours
    message: str | None = Field(default=None, max_length=2000)


class WithdrawIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


async def _company(session: Session, company_id: str) -> Company:
    company = await session.get(Company, company_id)
    assert company is not None
    return company


def _check_start_date(terms: OfferTerms, company: Company, now: Any) -> None:
    problems = start_date_problems(terms.start_date, billing_date(now, company.billing_tz))
    if problems:
        raise HTTPException(422, "; ".join(problems))


async def _stage_of(temporal: Temporal, candidacy_id: str) -> Stage:
    state: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    return state.stage


@router.post(
    "/candidacies/{candidacy_id}/offers",
    response_model=OfferState,
    status_code=201,
    responses={409: {"description": "not at the offer stage, or an offer is already open"}},
)
async def send_offer(
    candidacy_id: str,
    body: OfferTerms,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> OfferState:
    """Send an offer once the last round was advanced (the candidacy's stage is `offer`): hourly
    rate, weekly schedule, start date (not in the past in the company's billing zone), message.
    It expires after 7 days; the contractor is reminded at day 5."""
    candidacy = await candidacy_for(
        session, user, candidacy_id, client=True, contractor=False, ops=False
    )
    stage = await _stage_of(temporal, candidacy_id)
    if stage != Stage.OFFER:
        raise HTTPException(
            409, f"an offer follows the last round's advance decision; this candidacy is {stage}"
        )
    company = await _company(session, candidacy.company_id)
    _check_start_date(body, company, now)
    offer_id = offer_workflow_id(candidacy.job_post_id, candidacy.contractor_id)
    start = OfferStart(
        offer_id=offer_id,
        candidacy_id=candidacy_id,
        job_post_id=candidacy.job_post_id,
        company_id=candidacy.company_id,
        owner_id=user.id,
        contractor_id=candidacy.contractor_id,
        plan=company.plan,
        billing_tz=company.billing_tz,
        terms=body,
        sent_at=now,
        sent_by=user.id,
    )
    try:
        await temporal.start(
            OfferWorkflow.run,
            start,
            id=offer_id,
            task_queue=settings.temporal_task_queue,
            search_attributes=sa.for_offer(
                candidacy.job_post_id,
                candidacy.company_id,
                candidacy.contractor_id,
                OfferStatus.OPEN.value,
            ),
            static_summary=summaries.offer_summary(candidacy.contractor_id, candidacy.job_post_id),
            static_details=summaries.offer_details(candidacy_id),
        )
    except WorkflowAlreadyStartedError as error:
        raise HTTPException(409, "an offer to this contractor is already open") from error
    return initial_offer_state(start)


@router.get("/offers/{offer_id}", response_model=OfferState)
async def get_offer(
    offer_id: str, user: Caller, session: Session, temporal: Temporal
) -> OfferState:
    """Terms of every version, counters, state and, once accepted, the signature."""
    await offer_for(session, user, offer_id, client=True, contractor=True, ops=True)
    try:
        state: OfferState = await temporal.query(offer_id, OfferWorkflow.status)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, "offer not found") from error
        raise
    return state


async def _answer(temporal: Temporal, offer_id: str, method: Any, arg: Any) -> OfferState:
    """Run an update; on a closed offer, 409 saying how it ended."""
    try:
        answered: OfferState = await temporal.update(offer_id, method, arg)
    except ProcessEnded as ended:
        state: OfferState = await temporal.query(offer_id, OfferWorkflow.status)
        detail = f"this offer was already answered: it is {state.status.value}"
        raise HTTPException(409, detail) from ended
    return answered


async def _answer_as(
    session: Session, user: User, temporal: Temporal, offer_id: str, method: Any, arg: Any
) -> OfferState:
    """`_answer`, when the caller is the offer's party of their role (the routes let only that
    role in): its client, or its contractor."""
    is_client = user.role == Role.CLIENT
    await offer_for(session, user, offer_id, client=is_client, contractor=not is_client)
    return await _answer(temporal, offer_id, method, arg)


@router.post("/offers/{offer_id}/accept", response_model=OfferState)
async def accept(
    offer_id: str, body: AcceptIn, user: ContractorUser, session: Session, temporal: Temporal
) -> OfferState:
    """Sign: accept the latest version (a stale version is 409). Starts the engagement."""
    job_post, _contractor = await offer_for(session, user, offer_id, client=False, contractor=True)
    state: OfferState = await temporal.query(offer_id, OfferWorkflow.status)
    if state.status in ANSWERED:
        raise HTTPException(409, f"this offer was already answered: it is {state.status.value}")
    stage = await _stage_of(temporal, state.candidacy_id)
    if stage != Stage.OFFER:
        raise HTTPException(409, f"this candidacy is {stage}: the offer can no longer be accepted")
    accepted = await _answer(
        temporal, offer_id, OfferWorkflow.accept, AcceptRequest(version=body.version, by=user.id)
    )
    # The candidacy shows the hire before the answer: what follows the hire can come at once.
    await temporal.await_next_step(state.candidacy_id, CandidacyWorkflow.offer_outcome_taken)
    return accepted


@router.post("/offers/{offer_id}/decline", response_model=OfferState)
async def decline(
    offer_id: str, body: DeclineIn, user: ContractorUser, session: Session, temporal: Temporal
) -> OfferState:
    """Decline, with a reason the client sees."""
    request = DeclineRequest(reason=body.reason)
    return await _answer_as(session, user, temporal, offer_id, OfferWorkflow.decline, request)


@router.post("/offers/{offer_id}/counter", response_model=OfferState)
async def counter(
    offer_id: str, body: CounterIn, user: ContractorUser, session: Session, temporal: Temporal
) -> OfferState:
    """Propose another rate and hours; the client may answer with a revised version."""
    request = CounterRequest(**body.model_dump())
    return await _answer_as(session, user, temporal, offer_id, OfferWorkflow.counter, request)


@router.post("/offers/{offer_id}/revise", response_model=OfferState)
async def revise(
    offer_id: str,
    body: OfferTerms,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    now: Now,
) -> OfferState:
    """A new version with new terms and a fresh 7-day clock; only it can be accepted."""
    job_post, _contractor = await offer_for(session, user, offer_id, client=True, contractor=False)
    _check_start_date(body, await _company(session, job_post.company_id), now)
    return await _answer(
        temporal, offer_id, OfferWorkflow.revise, ReviseRequest(terms=body, by=user.id)
    )


@router.post("/offers/{offer_id}/withdraw", response_model=OfferState)
async def withdraw(
    offer_id: str, body: WithdrawIn, user: ClientUser, session: Session, temporal: Temporal
) -> OfferState:
    """Pull the offer. The candidacy stays at the offer stage: a new offer may follow."""
    request = WithdrawOfferRequest(reason=body.reason)
    return await _answer_as(session, user, temporal, offer_id, OfferWorkflow.withdraw, request)
