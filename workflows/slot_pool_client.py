"""How the API and activities reach a job post round's slot pool (`SlotPoolWorkflow`):
update-with-start and signal-with-start, so whoever speaks first starts it and an idle round
needs no running workflow. Updates and queries are named by the workflow's methods
(`SlotPoolWorkflow.claim`); a signal an interview sends through an activity travels by its name
(`SlotPoolNotice.signal`), mapped to the pool's handler in NOTICE_SIGNALS."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar, overload

from temporalio import workflow
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowQueryRejectedError
from temporalio.common import (
    QueryRejectCondition,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from contracts.hiring import SlotPoolStart, SlotPoolState
from contracts.slot_pool import (
    CONTRACTOR_LEFT,
    CONTRACTOR_WAITING,
    INTERVIEW_ENDED,
    SLOTS_ADDED,
    SLOTS_WITHDRAWN,
    HeldSlot,
    PoolSlot,
    SlotPoolNotice,
)
from domain.ids import slot_pool_workflow_id
from workflows import search_attributes as sa
from workflows import summaries
from workflows.slot_pool import SlotPoolWorkflow

POOL_QUEUE_SUFFIX = "-slots"

# The pool's handler of each signal a SlotPoolNotice may name; any other name is refused.
NOTICE_SIGNALS: dict[str, Callable[..., Any]] = {
    CONTRACTOR_WAITING: SlotPoolWorkflow.contractor_waiting,
    CONTRACTOR_LEFT: SlotPoolWorkflow.contractor_left,
    INTERVIEW_ENDED: SlotPoolWorkflow.interview_ended,
    SLOTS_ADDED: SlotPoolWorkflow.slots_added,
    SLOTS_WITHDRAWN: SlotPoolWorkflow.slots_withdrawn,
}

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")
# An update of the pool taking one argument (`SlotPoolWorkflow.claim`); its answer's type is
# the method's.
PoolUpdate: TypeAlias = workflow.UpdateMethodMultiParam[
    [SlotPoolWorkflow, ArgT], Awaitable[ResultT]
]


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


@overload
async def update_slot_pool(
    client: Client,
    task_queue: str,
    start: SlotPoolStart,
    update: workflow.UpdateMethodMultiParam[[SlotPoolWorkflow], Awaitable[ResultT]],
    *,
    update_id: str | None = None,
) -> ResultT: ...


@overload
async def update_slot_pool(
    client: Client,
    task_queue: str,
    start: SlotPoolStart,
    update: PoolUpdate[ArgT, ResultT],
    arg: ArgT,
    *,
    update_id: str | None = None,
) -> ResultT: ...


async def update_slot_pool(
    client: Client,
    task_queue: str,
    start: SlotPoolStart,
    update: Any,
    arg: Any = None,
    *,
    update_id: str | None = None,
) -> Any:
    """Run an update of the round's pool, starting the pool first when it is not running."""
    operation: WithStartWorkflowOperation[SlotPoolWorkflow, SlotPoolState] = (
        WithStartWorkflowOperation(
            SlotPoolWorkflow.run,
            start,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            **_start_options(start, task_queue),
        )
    )
    args = [] if arg is None else [arg]
    return await client.execute_update_with_start_workflow(
        update, *args, start_workflow_operation=operation, id=update_id
    )


async def _query_pool(
    client: Client, job_post_id: str, round_number: int, query: Callable[..., ResultT], *args: Any
) -> ResultT | None:
    """A query of the round's pool; None when no run is going (then the rows show everything
    it decided: a run ends only with nothing left to write)."""
    handle = client.get_workflow_handle_for(
        SlotPoolWorkflow.run, slot_pool_workflow_id(job_post_id, round_number)
    )
    try:
        answer: ResultT = await handle.query(
            query, *args, reject_condition=QueryRejectCondition.NOT_OPEN
        )
    except WorkflowQueryRejectedError:
        return None
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return answer


async def held_slot(
    client: Client, job_post_id: str, round_number: int, interview_id: str
) -> HeldSlot | None:
    """What the round's pool holds for the interview, told to it or not yet; None when no run
    is going."""
    return await _query_pool(
        client, job_post_id, round_number, SlotPoolWorkflow.held_slot, interview_id
    )


async def known_slots(client: Client, job_post_id: str, round_number: int) -> list[PoolSlot] | None:
    """Every slot of the round the pool knows, as it holds them; None when no run is going."""
    return await _query_pool(client, job_post_id, round_number, SlotPoolWorkflow.known_slots)


async def signal_slot_pool(client: Client, task_queue: str, notice: SlotPoolNotice) -> None:
    """Signal the job post round's pool, starting it first when it is not running."""
    if notice.signal not in NOTICE_SIGNALS:
        raise ValueError(f"unknown slot pool signal {notice.signal!r}")
    start = pool_start(notice.job_post_id, notice.round, notice.owner_id, notice.company_id)
    await client.start_workflow(
        SlotPoolWorkflow.run,
        start,
        # Signal-with-start takes the signal by name: the table's key, its handler's name.
        start_signal=notice.signal,
        start_signal_args=[notice.payload],
        **_start_options(start, task_queue),
    )
