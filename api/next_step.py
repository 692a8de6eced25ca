"""A route whose change is taken in by another workflow (or by the main loop of the same one)
answers once that is done, so the caller's next call can follow at once; it waits a bounded
time, then answers with the pending state (the waiting update finishes on its own later)."""

import asyncio
import logging
from typing import Any

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

NEXT_STEP_WAIT_SECONDS = 5.0

log = logging.getLogger(__name__)


async def await_next_step(
    temporal: Client, workflow_id: str, method: Any, arg: Any = None
) -> Any | None:
    """Run `method`, an update that answers once the step the next call depends on is done;
    None when it did not answer within NEXT_STEP_WAIT_SECONDS (or the workflow has ended)."""
    handle = temporal.get_workflow_handle(workflow_id)
    call = handle.execute_update(method) if arg is None else handle.execute_update(method, arg)
    try:
        return await asyncio.wait_for(call, NEXT_STEP_WAIT_SECONDS)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        log.warning("%s: %s still pending after %ss", workflow_id, method, NEXT_STEP_WAIT_SECONDS)
    except (WorkflowUpdateFailedError, RPCError) as error:
        log.info("%s: %s not awaited (%s)", workflow_id, method, error)
    return None
