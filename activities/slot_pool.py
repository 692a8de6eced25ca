"""What the slot pool of a job post round needs from the outside: the bookable open slots, the
ops users to alert, and a way for interviews (and the API) to reach the pool.

The pool is reached by signal-with-start, so whoever speaks first starts it. Its signal names are
defined here, not in the workflow module, so the API and activities can use them without
importing workflow code."""

from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, func, select
from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from activities.contracts import OpenSlotsQuery, OpenSlotsSummary, OpsUsers, SlotPoolNotice
from domain.ids import slot_pool_workflow_id
from domain.slots import MIN_NOTICE, expires_at
from store.db import Database
from store.models import Slot, User
from workers.settings import Settings
from workflows import search_attributes as sa
from workflows import summaries
from workflows.contracts import SlotPoolStart

POOL_WORKFLOW = "SlotPoolWorkflow"
CONTRACTOR_WAITING = "contractor_waiting"  # payload: PoolMember
CONTRACTOR_LEFT = "contractor_left"  # payload: PoolMember (booked, or the interview ended)
SLOTS_ADDED = "slots_added"  # payload: SlotsAdded
SLOTS_WITHDRAWN = "slots_withdrawn"  # payload: {}
SIGNALS = (CONTRACTOR_WAITING, CONTRACTOR_LEFT, SLOTS_ADDED, SLOTS_WITHDRAWN)


async def signal_slot_pool(client: Client, task_queue: str, notice: SlotPoolNotice) -> None:
    """Signal the job post round's pool, starting it first when it is not running."""
    if notice.signal not in SIGNALS:
        raise ValueError(f"unknown slot pool signal {notice.signal!r}")
    start = SlotPoolStart(
        job_post_id=notice.job_post_id,
        round=notice.round,
        owner_id=notice.owner_id,
        company_id=notice.company_id,
    )
    await client.start_workflow(
        POOL_WORKFLOW,
        start,
        id=slot_pool_workflow_id(notice.job_post_id, notice.round),
        task_queue=task_queue,
        start_signal=notice.signal,
        start_signal_args=[notice.payload],
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.JOB_POST_ID, notice.job_post_id),
                SearchAttributePair(sa.CLIENT_ID, notice.company_id),
            ]
        ),
        static_summary=summaries.slot_pool_summary(notice.job_post_id, notice.round),
        static_details=summaries.slot_pool_details(),
    )


class SlotPoolActivities:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def activities(self) -> list[Any]:
        return [self.open_slot_summary, self.ops_user_ids, self.tell_slot_pool]

    @activity.defn
    async def open_slot_summary(self, query: OpenSlotsQuery) -> OpenSlotsSummary:
        bookable = (
            (Slot.job_post_id == query.job_post_id)
            & (Slot.round == query.round)
            & (Slot.status == "open")
            & (col(Slot.start) >= query.now + MIN_NOTICE)
        )
        async with self.db.session() as session:
            count, first = (
                await session.exec(select(func.count(), func.min(Slot.start)).where(bookable))
            ).one()
        # SQLite hands aggregates back as text, without the column type's conversion.
        if isinstance(first, str):
            first = datetime.fromisoformat(first)
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        return OpenSlotsSummary(
            count=int(count), next_expiry=expires_at(first) if first is not None else None
        )

    @activity.defn
    async def ops_user_ids(self) -> OpsUsers:
        async with self.db.session() as session:
            ids = await session.exec(select(User.id).where(User.role == "ops").order_by(User.id))
            return OpsUsers(user_ids=list(ids))

    @activity.defn
    async def tell_slot_pool(self, notice: SlotPoolNotice) -> None:
        """Signals are idempotent in the pool, so a retried attempt does no harm."""
        await signal_slot_pool(activity.client(), activity.info().task_queue, notice)
