"""Engagements: terms, weeks, charges and payouts; timesheets and their review; terms changes and
the end."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from api.deps import Caller, ClientUser, ContractorUser, Session, Temporal
from api.engagement_access import engagement_for
from api.lists import page_of, total_of, visible_to
from api.routes.ledger import LedgerEntryOut, ledger_order
from api.schemas import MAX_RATE_CENTS, MAX_WEEK, Page, Paging, WeekNumber
from contracts.engagement import (
    ApproveRequest,
    DisputeRequest,
    EndRequest,
    TermsChange,
    TermsRequest,
    TimesheetRequest,
    WeekState,
)
from domain.money import Hours
from domain.offers import Schedule, Weekday, WeeklyHours
from domain.roles import Role
from store.models import Engagement, LedgerEntry, Offer, Timesheet, User
from workflows.engagement import EngagementWorkflow

router = APIRouter(tags=["engagements"])


class WeekOut(BaseModel):
    week: int
    first_day: date
    ends_at: datetime
    review_until: datetime = Field(description="the client's review ends; then the week is paid")
    status: str  # awaiting | submitted | approved | disputed | paid | missed
    hours: Hours | None
    submitted_at: datetime | None
    review: str  # none | approved | disputed
    corrected_hours: Hours | None
    dispute_reason: str | None
    scheduled_hours: Hours
    over_schedule: bool = Field(
        description="more hours than the schedule: paid in full only if the client approves"
    )
    hourly_rate_cents: int
    paid_hours: Hours | None
    payout_cents: int | None

    @classmethod
    def of_state(cls, week: WeekState) -> "WeekOut":
        return cls(
            **week.model_dump(exclude={"revision", "reminded"}),
            over_schedule=week.hours is not None and week.hours > week.scheduled_hours,
        )

    @classmethod
    def of_row(cls, row: Timesheet) -> "WeekOut":
        return cls(
            week=row.week,
            first_day=row.first_day,
            ends_at=row.ends_at,
            review_until=row.review_until,
            status=row.status,
            hours=_hours(row.submitted_hundredths),
            submitted_at=row.submitted_at,
            review=row.review,
            corrected_hours=_hours(row.corrected_hundredths),
            dispute_reason=row.dispute_reason,
            scheduled_hours=_hours(row.scheduled_hundredths),
            over_schedule=(row.submitted_hundredths or 0) > row.scheduled_hundredths,
            hourly_rate_cents=row.hourly_rate_cents,
            paid_hours=_hours(row.paid_hundredths),
            payout_cents=row.payout_cents,
        )


def _hours(hundredths: int | None) -> Any:
    return None if hundredths is None else Decimal(hundredths) / 100


class ContractOut(BaseModel):
    """The signed offer: the exact terms, when, and the digest sealing the record."""

    offer_id: str
    version: int | None
    terms: dict[str, Any] | None
    signed_at: datetime | None
    signature: str | None


class EngagementSummary(BaseModel):
    id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    status: str  # scheduled | active | ended
    plan: str
    seat_fee_cents: int
    currency: str
    billing_tz: str
    start_date: date
    terms: Schedule
    terms_schedule: list[dict[str, Any]] = Field(description="every change: from_week and terms")
    signed_at: datetime
    ended_at: datetime | None
    last_week: int | None
    charged_cents: int | None = Field(description="seat fees so far (null for the contractor)")
    paid_cents: int


class EngagementOut(EngagementSummary):
    contract: ContractOut
    weeks: list[WeekOut]
    charges: list[LedgerEntryOut] = Field(description="seat fees (empty for the contractor)")
    payouts: list[LedgerEntryOut]


class TimesheetIn(BaseModel):
    week: int = Field(ge=1, le=MAX_WEEK, description="week 1 starts on the start date")
    hours: Hours


class DisputeIn(BaseModel):
    corrected_hours: Hours
    reason: str = Field(min_length=1, max_length=2000)


class TermsIn(BaseModel):
    hourly_rate_cents: int | None = Field(default=None, gt=0, le=MAX_RATE_CENTS)
    hours_per_week: WeeklyHours | None = None
    working_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)


class EndIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


async def _totals(session: Session, engagement_ids: list[str]) -> dict[tuple[str, str], int]:
    if not engagement_ids:
        return {}
    rows = await session.exec(
        select(LedgerEntry.engagement_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .where(col(LedgerEntry.engagement_id).in_(engagement_ids))
        .group_by(LedgerEntry.engagement_id, LedgerEntry.kind)
    )
    return {(e, k): int(total) for e, k, total in rows}


def _summary(row: Engagement, totals: dict[tuple[str, str], int], user: User) -> dict[str, Any]:
    hide_charges = user.role == Role.CONTRACTOR
    return dict(
        **row.model_dump(
            include={
                "id",
                "job_post_id",
                "company_id",
                "contractor_id",
                "status",
                "plan",
                "seat_fee_cents",
                "currency",
                "billing_tz",
                "start_date",
                "terms",
                "terms_schedule",
                "signed_at",
                "ended_at",
                "last_week",
            }
        ),
        charged_cents=None if hide_charges else totals.get((row.id, "seat_fee"), 0),
        paid_cents=totals.get((row.id, "payout"), 0),
    )


async def engagement_out(session: Session, row: Engagement, user: User) -> EngagementOut:
    weeks = await session.exec(
        select(Timesheet).where(Timesheet.engagement_id == row.id).order_by(col(Timesheet.week))
    )
    entries = list(
        await session.exec(
            select(LedgerEntry).where(LedgerEntry.engagement_id == row.id).order_by(*ledger_order())
        )
    )
    offer = await session.get(Offer, row.offer_id)
    contract = ContractOut(
        offer_id=row.offer_id,
        version=offer.signed_version if offer else None,
        terms=offer.signed_terms if offer else None,
        signed_at=offer.signed_at if offer else row.signed_at,
        signature=offer.signature if offer else None,
    )

    def out(kind: str) -> list[LedgerEntryOut]:
        return [
            LedgerEntryOut.model_validate(e, from_attributes=True)
            for e in entries
            if e.kind == kind
        ]

    totals = {(row.id, e.kind): 0 for e in entries}
    for entry in entries:
        totals[(row.id, entry.kind)] += entry.amount_cents
    return EngagementOut(
        **_summary(row, totals, user),
        contract=contract,
        weeks=[WeekOut.of_row(w) for w in weeks],
        charges=[] if user.role == Role.CONTRACTOR else out("seat_fee"),
        payouts=out("payout"),
    )


@router.get("/engagements/{engagement_id}", response_model=EngagementOut)
async def get_engagement(engagement_id: str, user: Caller, session: Session) -> EngagementOut:
    """Terms (and their changes), the contract, every started week, charges and payouts."""
    row = await engagement_for(session, user, engagement_id, client=True, contractor=True, ops=True)
    return await engagement_out(session, row, user)


@router.get("/engagements", response_model=Page[EngagementSummary])
async def list_engagements(
    user: Caller,
    session: Session,
    paging: Paging,
    status: str | None = Query(default=None, pattern="^(scheduled|active|ended)$"),
    job_post_id: str | None = None,
) -> Page[EngagementSummary]:
    """The company's engagements (client), one's own (contractor), all (ops)."""
    statement = visible_to(user, select(Engagement), Engagement)
    if status:
        statement = statement.where(Engagement.status == status)
    if job_post_id:
        statement = statement.where(Engagement.job_post_id == job_post_id)
    total = await total_of(session, statement)
    rows = list(
        await session.exec(page_of(statement.order_by(col(Engagement.signed_at).desc()), paging))
    )
    totals = await _totals(session, [r.id for r in rows])
    items = [EngagementSummary(**_summary(r, totals, user)) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


async def _week_update(
    session: Session, user: User, temporal: Temporal, engagement_id: str, method: Any, arg: Any
) -> WeekOut:
    """The week after an update of the engagement, by its party of the caller's role (the routes
    let only that role in): its client, or its contractor."""
    is_client = user.role == Role.CLIENT
    await engagement_for(session, user, engagement_id, client=is_client, contractor=not is_client)
    week: WeekState = await temporal.update(engagement_id, method, arg)
    return WeekOut.of_state(week)


@router.post("/engagements/{engagement_id}/timesheets", response_model=WeekOut)
async def submit_timesheet(
    engagement_id: str,
    body: TimesheetIn,
    user: ContractorUser,
    session: Session,
    temporal: Temporal,
) -> WeekOut:
    """Hours for a started week, until its review window closes (resubmitting replaces them until
    the client reviews). More than the weekly schedule is paid only if the client approves."""
    request = TimesheetRequest(week=body.week, hours=body.hours, by=user.id)
    return await _week_update(
        session, user, temporal, engagement_id, EngagementWorkflow.submit_timesheet, request
    )


@router.post("/engagements/{engagement_id}/timesheets/{week}/approve", response_model=WeekOut)
async def approve_timesheet(
    engagement_id: str, week: WeekNumber, user: ClientUser, session: Session, temporal: Temporal
) -> WeekOut:
    """Approve the week's hours as submitted, hours over the schedule included."""
    request = ApproveRequest(week=week, by=user.id)
    return await _week_update(
        session, user, temporal, engagement_id, EngagementWorkflow.approve_timesheet, request
    )


@router.post("/engagements/{engagement_id}/timesheets/{week}/dispute", response_model=WeekOut)
async def dispute_timesheet(
    engagement_id: str,
    week: WeekNumber,
    body: DisputeIn,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
) -> WeekOut:
    """Within 3 days after the week ends: the corrected hours are what the week pays."""
    request = DisputeRequest(
        week=week, corrected_hours=body.corrected_hours, reason=body.reason, by=user.id
    )
    return await _week_update(
        session, user, temporal, engagement_id, EngagementWorkflow.dispute_timesheet, request
    )


@router.post("/engagements/{engagement_id}/terms", response_model=TermsChange)
async def change_terms(
    engagement_id: str, body: TermsIn, user: ClientUser, session: Session, temporal: Temporal
) -> TermsChange:
    """Change the rate or the schedule (only the fields given), from the next week on."""
    await engagement_for(session, user, engagement_id, client=True, contractor=False)
    change: TermsChange = await temporal.update(
        engagement_id,
        EngagementWorkflow.change_terms,
        TermsRequest(**body.model_dump(), by=user.id),
    )
    return change


@router.post("/engagements/{engagement_id}/end", response_model=EngagementOut)
async def end_engagement(
    engagement_id: str, body: EndIn, user: ClientUser, session: Session, temporal: Temporal
) -> EngagementOut:
    """End now: no more fees (no refund of the month), the last week is still paid."""
    row = await engagement_for(session, user, engagement_id, client=True, contractor=False)
    await temporal.update(
        engagement_id,
        EngagementWorkflow.end,
        EndRequest(reason=body.reason, by=user.id),
    )
    await session.refresh(row)
    return await engagement_out(session, row, user)
