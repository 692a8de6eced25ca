"""A slot row as the round's slot pool holds it."""

from contracts.slot_pool import PoolSlot
from domain.slots import SlotStatus
from store.models import Slot


def as_pool_slot(row: Slot) -> PoolSlot:
    return PoolSlot(
        id=row.id,
        start=row.start,
        end=row.end,
        status=SlotStatus(row.status),
        round=row.round,
        interview_id=row.interview_id,
        booked_at=row.booked_at,
    )
