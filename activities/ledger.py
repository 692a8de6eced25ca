"""The ledger: one row per charge or payout, written once.

Each row has an idempotency key made of the engagement and the period (`<engagement>:seat_fee:
2026-11`, `<engagement>:payout:week-3`). The insert is "on conflict do nothing": when the key is
already there (an activity retry, a worker restart, a replayed workflow), the existing row is the
answer and nothing new is written."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from contracts import ledger as interface
from contracts.ledger import LedgerWrite, LedgerWritten
from core.db import Database
from domain.ids import new_id
from store.models import LedgerEntry


class LedgerActivities(interface.LedgerActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.record_ledger_entry]

    @activity.defn
    async def record_ledger_entry(self, write: LedgerWrite) -> LedgerWritten:
        key = write.idempotency_key
        async with self.db.session() as session:
            row = LedgerEntry(
                id=new_id("le"),
                engagement_id=write.engagement_id,
                company_id=write.company_id,
                contractor_id=write.contractor_id,
                kind=write.kind,
                period=write.period,
                amount_cents=write.amount_cents,
                currency=write.currency,
                idempotency_key=key,
                description=write.description,
                effective_on=write.effective_on.isoformat(),
                created_at=write.recorded_at,
            )
            session.add(row)
            try:
                await session.commit()
                return LedgerWritten(
                    entry_id=row.id,
                    idempotency_key=key,
                    amount_cents=row.amount_cents,
                    created=True,
                )
            except IntegrityError:
                await session.rollback()
            existing = (
                await session.exec(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))
            ).one()
        if existing.amount_cents != write.amount_cents:
            raise ApplicationError(
                f"ledger key {key} holds {existing.amount_cents} cents, not {write.amount_cents}",
                non_retryable=True,
            )
        return LedgerWritten(
            entry_id=existing.id,
            idempotency_key=key,
            amount_cents=existing.amount_cents,
            created=False,
        )
