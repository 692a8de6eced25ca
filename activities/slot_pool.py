"""The slot pool of a job post round (`SlotPoolWorkflow`) and the outside world: reaching it
(update-with-start and signal-with-start, so whoever speaks first starts it and an idle round
needs no running workflow), the rows it loads and writes (the projection the API lists from), the
interviews it tells of their bookings, and the ops users it alerts.

Its update and signal names are defined here, not in the workflow module, so the API and
activities can use them without importing workflow code."""

import asyncio
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowQueryRejectedError
from temporalio.common import (
    QueryRejectCondition,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from activities.contracts import OpsUsers, SlotPoolNotice
from domain.ids import (
    candidacy_workflow_id,
    parse_interview_workflow_id,
    slot_pool_workflow_id,
)
from store.db import Database
from store.models import JobPost, Slot, User
from workers.settings import Settings
from workflows import search_attributes as sa
from workflows import summaries
from workflows.claimable import claim_refusal
from workflows.contracts import InterviewRef, InterviewState, InterviewStatus, SlotPoolStart
from workflows.slot_pool_contracts import (
    ClaimVerdict,
    HeldSlot,
    PoolSlot,
    ProjectionResult,
    RoundSlotsQuery,
    SlotBooked,
    SlotProjection,
)

POOL_WORKFLOW = "SlotPoolWorkflow"
CONTRACTOR_WAITING = "contractor_waiting"  # payload: PoolMember
CONTRACTOR_LEFT = "contractor_left"  # payload: PoolMember (booked: no longer waiting)
INTERVIEW_ENDED = "interview_ended"  # payload: PoolMember (whatever it holds goes back)
SLOTS_ADDED = "slots_added"  # payload: SlotsAdded
SLOTS_WITHDRAWN = "slots_withdrawn"  # payload: {}
SIGNALS = (CONTRACTOR_WAITING, CONTRACTOR_LEFT, INTERVIEW_ENDED, SLOTS_ADDED, SLOTS_WITHDRAWN)
# Updates of the pool.
CLAIM = "claim"
RELEASE = "release"
ADD_SLOTS = "add_slots"
WITHDRAW = "withdraw"
CLOSE_ROUND = "close_round"
# Told to an interview once the pool booked a slot for it (payload: SlotBooked).
SLOT_BOOKED = "slot_booked"
# Told to an interview's candidacy as its status or booking changes (payload: InterviewRef).
INTERVIEW_CHANGED = "interview_changed"
INTERVIEW_STATUS_QUERY = "status"
# Queries of the pool: the slot it holds for an interview (payload: interview id), every slot
# it knows.
HELD_SLOT_QUERY = "held_slot"
KNOWN_SLOTS_QUERY = "known_slots"


POOL_QUEUE_SUFFIX = "-slots"


def pool_task_queue(task_queue: str) -> str:
    """The slot pools' own task queue (see workers/worker.py), from either queue."""
    if task_queue.endswith(POOL_QUEUE_SUFFIX):
        return task_queue
    return f"{task_queue}{POOL_QUEUE_SUFFIX}"


def pool_start(
    job_post_id: str, round_number: int, owner_id: str, company_id: str
) -> SlotPoolStart:
    return SlotPoolStart(
        job_post_id=job_post_id, round=round_number, owner_id=owner_id, company_id=company_id
    )


def _start_options(start: SlotPoolStart, task_queue: str) -> dict[str, Any]:
    return {
        "id": slot_pool_workflow_id(start.job_post_id, start.round),
        "task_queue": pool_task_queue(task_queue),
        "search_attributes": TypedSearchAttributes(
            [
                SearchAttributePair(sa.JOB_POST_ID, start.job_post_id),
                SearchAttributePair(sa.CLIENT_ID, start.company_id),
            ]
        ),
        "static_summary": summaries.slot_pool_summary(start.job_post_id, start.round),
        "static_details": summaries.slot_pool_details(),
    }


async def update_slot_pool(
    client: Client,
    task_queue: str,
    start: SlotPoolStart,
    update_name: str,
    arg: Any = None,
    result_type: type | None = None,
    update_id: str | None = None,
) -> Any:
    """Run an update of the round's pool, starting the pool first when it is not running."""
    operation = WithStartWorkflowOperation(
        POOL_WORKFLOW,
        start,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        **_start_options(start, task_queue),
    )
    args = [] if arg is None else [arg]
    return await client.execute_update_with_start_workflow(
        update_name,
        *args,
        start_workflow_operation=operation,
        result_type=result_type,
        id=update_id,
    )


async def _query_pool(
    client: Client, job_post_id: str, round_number: int, query: str, *args: Any, result_type: Any
) -> Any:
    """A query of the round's pool; None when no run is going (then the rows show everything
    it decided: a run ends only with nothing left to write)."""
    handle = client.get_workflow_handle(slot_pool_workflow_id(job_post_id, round_number))
    try:
        return await handle.query(
            query, *args, result_type=result_type, reject_condition=QueryRejectCondition.NOT_OPEN
        )
    except WorkflowQueryRejectedError:
        return None
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def held_slot(
    client: Client, job_post_id: str, round_number: int, interview_id: str
) -> HeldSlot | None:
    """What the round's pool holds for the interview, told to it or not yet; None when no run
    is going."""
    held: HeldSlot | None = await _query_pool(
        client, job_post_id, round_number, HELD_SLOT_QUERY, interview_id, result_type=HeldSlot
    )
    return held


async def known_slots(client: Client, job_post_id: str, round_number: int) -> list[PoolSlot] | None:
    """Every slot of the round the pool knows, as it holds them; None when no run is going."""
    slots: list[PoolSlot] | None = await _query_pool(
        client, job_post_id, round_number, KNOWN_SLOTS_QUERY, result_type=list[PoolSlot]
    )
    return slots


async def signal_slot_pool(client: Client, task_queue: str, notice: SlotPoolNotice) -> None:
    """Signal the job post round's pool, starting it first when it is not running."""
    if notice.signal not in SIGNALS:
        raise ValueError(f"unknown slot pool signal {notice.signal!r}")
    start = pool_start(notice.job_post_id, notice.round, notice.owner_id, notice.company_id)
    await client.start_workflow(
        POOL_WORKFLOW,
        start,
        start_signal=notice.signal,
        start_signal_args=[notice.payload],
        **_start_options(start, task_queue),
    )


async def pool_start_of(db: Database, job_post_id: str, round_number: int) -> SlotPoolStart:
    """The pool's start arguments, for an activity that knows only the job post."""
    async with db.session() as session:
        job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise ValueError(f"no job post {job_post_id}")
    return pool_start(job_post_id, round_number, job_post.owner_id, job_post.company_id)


def as_pool_slot(row: Slot) -> PoolSlot:
    return PoolSlot(
        id=row.id,
        start=row.start,
        end=row.end,
        status=row.status,
        round=row.round,
        interview_id=row.interview_id,
        booked_at=row.booked_at,
    )


class SlotPoolActivities:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def activities(self) -> list[Any]:
        return [
            self.round_slots,
            self.project_slots,
            self.interview_claimable,
            self.ops_user_ids,
            self.tell_slot_pool,
        ]

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
        interview its booking, its candidacy first (so the interview need not: fewer events
        per booking); answers the interviews that no longer run. Retried, it writes and tells
        again: both are idempotent (an interview that no longer takes the booking tells its
        candidacy how it really stands)."""
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
            told = booked.model_copy(update={"candidacy_told": await _tell_candidacy(booked)})
            try:
                await client.get_workflow_handle(booked.interview_id).signal(SLOT_BOOKED, told)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return booked.interview_id
                raise
            return None

        async def _tell_candidacy(booked: SlotBooked) -> bool:
            parsed = parse_interview_workflow_id(booked.interview_id)
            if parsed is None:
                return False
            job_post_id, contractor_id, round_number = parsed
            ref = InterviewRef(
                interview_id=booked.interview_id,
                round=round_number,
                status=InterviewStatus.BOOKED.value,
                start=booked.start,
                end=booked.end,
            )
            handle = client.get_workflow_handle(candidacy_workflow_id(job_post_id, contractor_id))
            try:
                await handle.signal(INTERVIEW_CHANGED, ref)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return False  # the candidacy has ended: its interview will hear of it too
                raise
            return True

        told = await asyncio.gather(*(tell(b) for b in batch.tell))
        return ProjectionResult(ended=[i for i in told if i is not None])

    @activity.defn
    async def interview_claimable(self, interview_id: str) -> ClaimVerdict:
        """Ask an interview whether it waits for a slot (and why not)."""
        handle = activity.client().get_workflow_handle(interview_id)
        try:
            state = await handle.query(INTERVIEW_STATUS_QUERY, result_type=InterviewState)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return ClaimVerdict(claimable=False, reason="this interview has ended")
            raise
        refusal = claim_refusal(InterviewStatus(state.status))
        return ClaimVerdict(claimable=refusal is None, reason=refusal or "")

    @activity.defn
    async def ops_user_ids(self) -> OpsUsers:
        async with self.db.session() as session:
            ids = await session.exec(select(User.id).where(User.role == "ops").order_by(User.id))
            return OpsUsers(user_ids=list(ids))

    @activity.defn
    async def tell_slot_pool(self, notice: SlotPoolNotice) -> None:
        """Signals are idempotent in the pool, so a retried attempt does no harm."""
        await signal_slot_pool(activity.client(), activity.info().task_queue, notice)
