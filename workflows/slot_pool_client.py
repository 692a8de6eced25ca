"""How the API and activities reach a job post round's slot pool (`SlotPoolWorkflow`):
update-with-start and signal-with-start, so whoever speaks first starts it and an idle round
needs no running workflow. Its update and signal names are in contracts/slot_pool.py."""

from typing import Any

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowQueryRejectedError
from temporalio.common import (
    QueryRejectCondition,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from contracts.hiring import SlotPoolStart
from contracts.slot_pool import (
    HELD_SLOT_QUERY,
    KNOWN_SLOTS_QUERY,
    POOL_WORKFLOW,
    SIGNALS,
    HeldSlot,
    PoolSlot,
    SlotPoolNotice,
)
from domain.ids import slot_pool_workflow_id
from workflows import search_attributes as sa
from workflows import summaries

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
    operation: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
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
