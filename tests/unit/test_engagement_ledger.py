"""Every charge and payout is written once: one ledger row per engagement and period, whatever the
activity retries (sequential or concurrent), on SQLite and PostgreSQL."""

import asyncio
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from contracts.ledger import LedgerWrite
from core.db import Database
from store.accounts import create_company, create_contractor
from store.models import LedgerEntry


async def _write(db: Database, period: str, amount: int = 8000) -> LedgerWrite:
    async with db.session() as session:
        company = await create_company(session, "Ledger Co")
        contractor, _ = await create_contractor(
            session,
            name="Payee",
            email=f"payee-{uuid.uuid4().hex[:8]}@example.com",
            hourly_rate_cents=4000,
            industries=["software"],
            languages=["English"],
        )
    write = LedgerWrite(
        engagement_id=f"engagement-jp_{uuid.uuid4().hex[:10]}-{contractor.id}",
        company_id=company.id,
        contractor_id=contractor.id,
        kind="seat_fee",
        period=period,
        amount_cents=amount,
        effective_on=date(2026, 11, 21),
        description="Seat fee 2026-11, prorated 10/30 days of $240.00",
        recorded_at=datetime(2026, 11, 21, 15, 0, tzinfo=UTC),
    )
    return write


async def _rows(db: Database, key: str) -> list[LedgerEntry]:
    async with db.session() as session:
        return list(
            await session.exec(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))
        )


async def test_a_retried_charge_is_written_once(database_url: str) -> None:
    db = Database(database_url)
    try:
        write = await _write(db, "2026-11")
        record = LedgerActivities(db).record_ledger_entry
        env = ActivityEnvironment()
        first = await env.run(record, write)
        again = await env.run(record, write)
        assert (first.created, again.created) == (True, False)
        assert again.entry_id == first.entry_id
        assert write.idempotency_key == f"{write.engagement_id}:seat_fee:2026-11"
        rows = await _rows(db, write.idempotency_key)
        assert [(r.amount_cents, r.period, r.effective_on) for r in rows] == [
            (8000, "2026-11", "2026-11-21")
        ]
    finally:
        await db.dispose()


async def test_concurrent_attempts_of_one_payout_write_one_row(database_url: str) -> None:
    db = Database(database_url)
    try:
        write = await _write(db, "week-1", amount=80000)
        write = write.model_copy(update={"kind": "payout"})
        record = LedgerActivities(db).record_ledger_entry
        results = await asyncio.gather(
            *(ActivityEnvironment().run(record, write) for _ in range(8))
        )
        assert sum(r.created for r in results) == 1
        assert len({r.entry_id for r in results}) == 1
        assert len(await _rows(db, write.idempotency_key)) == 1
    finally:
        await db.dispose()


async def test_a_key_reused_with_another_amount_is_refused(database_url: str) -> None:
    db = Database(database_url)
    try:
        write = await _write(db, "2026-12", amount=24000)
        record = LedgerActivities(db).record_ledger_entry
        await ActivityEnvironment().run(record, write)
        with pytest.raises(ApplicationError) as refused:
            await ActivityEnvironment().run(record, write.model_copy(update={"amount_cents": 1}))
        assert refused.value.non_retryable
        assert [r.amount_cents for r in await _rows(db, write.idempotency_key)] == [24000]
    finally:
        await db.dispose()
