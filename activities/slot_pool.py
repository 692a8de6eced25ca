"""The slot pool of a job post round (`SlotPoolWorkflow`) and the outside world: the rows it
loads and writes (the projection the API lists from), the interviews it tells of their bookings,
and the ops users it alerts. Reaching the pool is workflows/slot_pool_client.py."""

import asyncio

from sqlalchemy import update
from sqlmodel import col, select
from temporalio import activity
from temporalio.service import RPCError, RPCStatusCode

from contracts import slot_pool as interface
from contracts.hiring import InterviewStatus, SlotPoolStart
from contracts.slot_pool import (
    ClaimVerdict,
    OpsUsers,
    PoolSlot,
    ProjectionResult,
    RoundSlotsQuery,
    SlotBooked,
    SlotPoolNotice,
    SlotProjection,
)
from core.db import Database
from core.settings import Settings
from domain.roles import Role
from store.models import JobPost, Slot, User
from store.pool_slots import as_pool_slot
from workflows.claimable import claim_refusal
from workflows.interview import InterviewWorkflow
from workflows.slot_pool_client import pool_start, signal_slot_pool


async def pool_start_of(db: Database, job_post_id: str, round_number: int) -> SlotPoolStart:
    """The pool's start arguments, for an activity that knows only the job post."""
    async with db.session() as session:
        job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise ValueError(f"no job post {job_post_id}")
    return pool_start(job_post_id, round_number, job_post.owner_id, job_post.company_id)


class SlotPoolActivities(interface.SlotPoolActivities):
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    @activity.defn
    async def round_slots(self, query: RoundSlotsQuery) -> list[PoolSlot]:
        """Every slot row of the round, or the one asked for (whatever its job post or round:
        the pool refuses it with the reason)."""
        async with self.db.session() as session:
            if query.slot_id is not None:
                row = await session.get(Slot, query.slot_id)
                if row is None or row.job_post_id != query.job_post_id:
                    return []
                return [as_pool_slot(row)]
            rows = await session.exec(
                select(Slot)
                .where(Slot.job_post_id == query.job_post_id, Slot.round == query.round)
                .order_by(col(Slot.start))
            )
            return [as_pool_slot(r) for r in rows]

    @activity.defn
    async def project_slots(self, batch: SlotProjection) -> ProjectionResult:
        """Write the batch's rows as the pool holds them (one transaction), then tell each
        interview its booking (not its candidacy: the candidacy's view reads a booking from the
        interview or the pool, api/pending_bookings.py, and an interview started before that
        tells its candidacy itself); answers the interviews that no longer run. Retried, it
        writes and tells again: both are idempotent."""
        if batch.rows:
            async with self.db.session() as session:
                # One statement for the batch (an UPDATE by primary key per row).
                await session.execute(
                    update(Slot),
                    [
                        {
                            "id": row.id,
                            "status": row.status,
                            "interview_id": row.interview_id,
                            "booked_at": row.booked_at,
                        }
                        for row in batch.rows
                    ],
                )
                await session.commit()
        client = activity.client()

        async def tell(booked: SlotBooked) -> str | None:
            interview = client.get_workflow_handle_for(InterviewWorkflow.run, booked.interview_id)
            try:
                await interview.signal(InterviewWorkflow.slot_booked, booked)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return booked.interview_id
                raise
            return None

        told = await asyncio.gather(*(tell(b) for b in batch.tell))
        return ProjectionResult(ended=[i for i in told if i is not None])

    @activity.defn
    async def interview_claimable(self, interview_id: str) -> ClaimVerdict:
        """Ask an interview whether it waits for a slot (and why not)."""
        handle = activity.client().get_workflow_handle_for(InterviewWorkflow.run, interview_id)
        try:
            state = await handle.query(InterviewWorkflow.status)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return ClaimVerdict(claimable=False, reason="this interview has ended")
            raise
        refusal = claim_refusal(InterviewStatus(state.status))
        return ClaimVerdict(claimable=refusal is None, reason=refusal or "")

    @activity.defn
    async def ops_user_ids(self) -> OpsUsers:
        async with self.db.session() as session:
            ids = await session.exec(select(User.id).where(User.role == Role.OPS).order_by(User.id))
            return OpsUsers(user_ids=list(ids))

    @activity.defn
    async def tell_slot_pool(self, notice: SlotPoolNotice) -> None:
        """Signals are idempotent in the pool, so a retried attempt does no harm."""
        await signal_slot_pool(activity.client(), activity.info().task_queue, notice)
