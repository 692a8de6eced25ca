"""The ledger's writes: one row per charge or payout, written once (activities/ledger.py)."""

from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from temporalio import activity


class LedgerWrite(BaseModel):
    engagement_id: str
    company_id: str
    contractor_id: str
    kind: Literal["seat_fee", "payout"]
    period: str  # 2026-11 for a seat fee, week-3 for a payout
    amount_cents: int
    currency: str = "USD"
    effective_on: date
    description: str
    recorded_at: datetime

    @property
    def idempotency_key(self) -> str:
        return f"{self.engagement_id}:{self.kind}:{self.period}"


class LedgerWritten(BaseModel):
    entry_id: str
    idempotency_key: str
    amount_cents: int
    created: bool  # False when the row was already there


class LedgerActivities(ABC):
    @activity.defn
    @abstractmethod
    async def record_ledger_entry(self, write: LedgerWrite) -> LedgerWritten: ...
