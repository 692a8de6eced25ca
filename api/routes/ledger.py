"""The ledger: every seat-fee charge and payout, each written once."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from api.deps import Caller, Session
from api.engagement_access import engagement_for
from api.lists import page_of, visible_to
from api.schemas import PageRequest, paging
from domain.roles import Role
from store.models import LedgerEntry, User

router = APIRouter(tags=["ledger"])

LedgerPaging = Annotated[PageRequest, Depends(paging(per_page=100, max_per_page=500))]


class LedgerEntryOut(BaseModel):
    id: str
    engagement_id: str
    company_id: str
    contractor_id: str
    kind: str  # seat_fee | payout
    period: str  # 2026-11 (a month's seat fee) | week-3 (a week's payout)
    amount_cents: int
    currency: str
    idempotency_key: str = Field(
        description="written once under this key: `<engagement>:seat_fee:<YYYY-MM>` or "
        "`<engagement>:payout:week-<n>`"
    )
    effective_on: date
    description: str
    created_at: datetime


class LedgerOut(BaseModel):
    items: list[LedgerEntryOut]
    total: int
    page: int
    per_page: int
    charges_cents: int  # the sum over every matching row, not only this page
    payouts_cents: int


def visible_entries(user: User) -> SelectOfScalar[LedgerEntry]:
    """The ledger rows a caller may see: the company's (client), own payouts (contractor), all
    (ops)."""
    statement = visible_to(user, select(LedgerEntry), LedgerEntry)
    if user.role == Role.CONTRACTOR:
        statement = statement.where(LedgerEntry.kind == "payout")
    return statement


def ledger_order() -> tuple[Any, ...]:
    return (col(LedgerEntry.effective_on), col(LedgerEntry.kind).desc(), col(LedgerEntry.period))


@router.get(
    "/ledger",
    response_model=LedgerOut,
    responses={404: {"description": "`engagement_id` names no engagement of the caller's"}},
)
async def list_ledger(
    user: Caller,
    session: Session,
    paging: LedgerPaging,
    engagement_id: str | None = None,
    kind: str | None = Query(default=None, pattern="^(seat_fee|payout)$"),
) -> LedgerOut:
    """Charges and payouts in date order: the owner sees its company's charges and payouts, the
    contractor only their own payouts, ops everything."""
    statement = visible_entries(user)
    if engagement_id is not None:
        await engagement_for(session, user, engagement_id, client=True, contractor=True, ops=True)
        statement = statement.where(LedgerEntry.engagement_id == engagement_id)
    if kind is not None:
        statement = statement.where(LedgerEntry.kind == kind)
    matching = statement.subquery()
    total, charges, payouts = (
        await session.exec(
            select(
                func.count(),
                func.coalesce(
                    func.sum(matching.c.amount_cents).filter(matching.c.kind == "seat_fee"), 0
                ),
                func.coalesce(
                    func.sum(matching.c.amount_cents).filter(matching.c.kind == "payout"), 0
                ),
            ).select_from(matching)
        )
    ).one()
    rows = await session.exec(page_of(statement.order_by(*ledger_order()), paging))
    return LedgerOut(
        items=[LedgerEntryOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
        charges_cents=charges,
        payouts_cents=payouts,
    )
