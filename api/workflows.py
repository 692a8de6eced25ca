"""The request's one way to Temporal. Every call first hands the request's database connection
back to the pool, so no request holds a connection while it waits on the network; update
refusals become HTTP answers here."""

import asyncio
import logging
import weakref
from typing import Any, TypeVar, cast

from fastapi import HTTPException
from sqlalchemy import event
from sqlalchemy.orm import Session as SyncSession
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from api.admission import RETRY_AFTER_SECONDS, PoolAdmission, PoolBusy
from api.errors import raise_from_update
from contracts.hiring import SlotPoolStart
from contracts.slot_pool import HeldSlot, PoolSlot
from domain.ids import slot_pool_workflow_id
from workflows.candidacy_close_client import close_candidacies
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import PoolUpdate, held_slot, known_slots, update_slot_pool

_WRITES_UNCOMMITTED = "writes_uncommitted"
NEXT_STEP_WAIT_SECONDS = 10.0
MAX_RUNNING_POOLS = 10_000

log = logging.getLogger(__name__)

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")

# One admission control per process (per Temporal client: one per process, shared).
_admissions: "weakref.WeakKeyDictionary[Client, PoolAdmission]" = weakref.WeakKeyDictionary()
# The slot pools this process has found running: an update goes to such a pool without the start
# that update-with-start sends along (cheaper for the server and this process). A pool that has
# since ended answers NOT_FOUND, and the update goes again with its start.
_running_pools: "weakref.WeakKeyDictionary[Client, set[str]]" = weakref.WeakKeyDictionary()


def _found_running(running: set[str], pool_id: str) -> None:
    if len(running) >= MAX_RUNNING_POOLS:
        running.clear()  # forgetting costs one update-with-start each
    running.add(pool_id)


class UncommittedChanges(RuntimeError):
    """A Temporal call was made with database changes not yet committed: commit them first.
    Releasing the connection would otherwise lose them, or commit them unasked."""


def _flushed(session: SyncSession, _context: Any) -> None:
    session.info[_WRITES_UNCOMMITTED] = True


def _committed(session: SyncSession) -> None:
    session.info.pop(_WRITES_UNCOMMITTED, None)


def _rolled_back(session: SyncSession, _previous: Any) -> None:
    session.info.pop(_WRITES_UNCOMMITTED, None)


class Workflows:
    """Built per request from the shared client and the request's session. After a release the
    session stays usable: what it read stays attached, and its next query checks a connection
    out again."""

    def __init__(self, client: Client, session: AsyncSession) -> None:
        self._client = client
        self._session = session
        self._releasing = asyncio.Lock()
        sync = session.sync_session
        if not event.contains(sync, "after_flush", _flushed):
            event.listen(sync, "after_flush", _flushed)
            event.listen(sync, "after_commit", _committed)
            event.listen(sync, "after_soft_rollback", _rolled_back)

    async def release(self) -> None:
        """Give the connection back to the pool; refuse when changes are not committed."""
        async with self._releasing:
            session = self._session
            if session.new or session.dirty or session.deleted:
                raise UncommittedChanges(
                    "commit the session before calling Temporal: it has pending changes"
                )
            if session.sync_session.info.get(_WRITES_UNCOMMITTED):
                raise UncommittedChanges(
                    "commit the session before calling Temporal: it has flushed, uncommitted writes"
                )
            if session.in_transaction():
                # Nothing to write: ending the read transaction returns the connection, and
                # (no expiry on commit) every row read stays loaded.
                await session.commit()

    async def start(self, workflow: Any, arg: Any, *, id: str, **options: Any) -> None:
        await self.release()
        await self._client.start_workflow(workflow, arg, id=id, **options)

    async def update(
        self, workflow_id: str, method: Any, arg: Any = None, *, update_id: str | None = None
    ) -> Any:
        """Run an update and answer its result; a refusal or an ended workflow raises the HTTP
        answer it deserves. Updates sent with the same `update_id` run once."""
        await self.release()
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            if arg is None:
                return await handle.execute_update(method, id=update_id)
            return await handle.execute_update(method, arg, id=update_id)
        except (WorkflowUpdateFailedError, RPCError) as error:
            raise_from_update(error)

    async def await_next_step(self, workflow_id: str, method: Any, arg: Any = None) -> Any | None:
        """Run `method`, an update that answers once the step the caller's next call depends on
        is done (another workflow, or the same one's main loop, took a change in); None when it
        did not answer within NEXT_STEP_WAIT_SECONDS (it finishes on its own later) or the
        workflow has ended. A route then answers with the pending state."""
        await self.release()
        handle = self._client.get_workflow_handle(workflow_id)
        call = handle.execute_update(method) if arg is None else handle.execute_update(method, arg)
        try:
            return await asyncio.wait_for(call, NEXT_STEP_WAIT_SECONDS)
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            log.warning(
                "%s: %s still pending after %ss", workflow_id, method, NEXT_STEP_WAIT_SECONDS
            )
        except (WorkflowUpdateFailedError, RPCError) as error:
            log.info("%s: %s not awaited (%s)", workflow_id, method, error)
        return None

    async def query(self, workflow_id: str, method: Any) -> Any:
        await self.release()
        return await self._client.get_workflow_handle(workflow_id).query(method)

    async def signal(self, workflow_id: str, method: Any, arg: Any = None) -> None:
        await self.release()
        handle = self._client.get_workflow_handle(workflow_id)
        if arg is None:
            await handle.signal(method)
        else:
            await handle.signal(method, arg)

    async def describe(self, workflow_id: str) -> WorkflowExecutionDescription:
        await self.release()
        return await self._client.get_workflow_handle(workflow_id).describe()

    async def update_slot_pool(
        self,
        task_queue: str,
        start: SlotPoolStart,
        update: PoolUpdate[ArgT, ResultT],
        arg: ArgT,
        *,
        in_flight: int,
        queued: int,
    ) -> ResultT:
        """Run an update of a job post round's slot pool (started when it is not running),
        admitted in turn (api/admission.py); a refusal raises the HTTP answer it deserves."""
        await self.release()
        admission = _admissions.get(self._client)
        if admission is None:
            admission = _admissions[self._client] = PoolAdmission(in_flight, queued)
        pool_id = slot_pool_workflow_id(start.job_post_id, start.round)
        try:
            async with admission.admit(pool_id):
                return await self._to_pool(pool_id, task_queue, start, update, arg)
        except (WorkflowUpdateFailedError, RPCError) as error:
            raise_from_update(error)
        except PoolBusy:
            raise HTTPException(
                503,
                "too many claims are waiting for this round's slots; try again in a moment",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None

    async def _to_pool(
        self,
        pool_id: str,
        task_queue: str,
        start: SlotPoolStart,
        update: PoolUpdate[ArgT, ResultT],
        arg: ArgT,
    ) -> ResultT:
        running = _running_pools.setdefault(self._client, set())
        if pool_id in running:
            handle = self._client.get_workflow_handle_for(SlotPoolWorkflow.run, pool_id)
            try:
                # temporalio types an async update's answer as the coroutine it awaits
                return cast(ResultT, await handle.execute_update(update, arg))
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    raise
                running.discard(pool_id)  # it has ended: start a new run with the update
        try:
            answer = await update_slot_pool(self._client, task_queue, start, update, arg)
        except WorkflowUpdateFailedError:
            _found_running(running, pool_id)  # refused by a running pool
            raise
        _found_running(running, pool_id)
        return answer

    async def held_slot(
        self, job_post_id: str, round_number: int, interview_id: str
    ) -> HeldSlot | None:
        """What the round's pool holds for the interview, told to it or not yet; None when no
        run of the pool is going."""
        await self.release()
        return await held_slot(self._client, job_post_id, round_number, interview_id)

    async def known_slots(self, job_post_id: str, round_number: int) -> list[PoolSlot] | None:
        """Every slot of the round its pool knows, as it holds them; None when no run of the
        pool is going."""
        await self.release()
        return await known_slots(self._client, job_post_id, round_number)

    async def close_candidacies(self, job_post_id: str, candidacy_ids: list[str]) -> int:
        """End candidacies of a closed post at once; answers how many were still open and now
        ended."""
        await self.release()
        return await close_candidacies(self._client, job_post_id, candidacy_ids)

    async def check_service(self) -> None:
        """Raises when the Temporal service does not answer."""
        await self.release()
        await self._client.workflow_service.get_system_info(GetSystemInfoRequest())
