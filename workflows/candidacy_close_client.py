"""How the close's activity and the API end a candidacy because its job post closed: through
the candidacy workflow's `close` update, sent with the close's id so it runs once."""

import asyncio

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import job_post_close_workflow_id
from workflows.candidacy import CandidacyWorkflow


async def close_candidacy(client: Client, job_post_id: str, candidacy_id: str) -> bool:
    """End one candidacy as closed; True when this call ended it, False when it was already over
    (withdrawn, rejected, closed, or its workflow finished)."""
    try:
        # The update's id is the close's: a retried batch (or a racing application ending its
        # own candidacy) attaches to the update already sent, never sends a second.
        # (temporalio types an async update's answer as a coroutine: hence `_ =`, it is unread)
        handle = client.get_workflow_handle_for(CandidacyWorkflow.run, candidacy_id)
        _ = await handle.execute_update(
            CandidacyWorkflow.close, id=job_post_close_workflow_id(job_post_id)
        )
    except WorkflowUpdateFailedError:  # its validator refused: the candidacy had ended
        return False
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:  # its workflow already finished
            return False
        raise
    return True


async def close_candidacies(client: Client, job_post_id: str, candidacy_ids: list[str]) -> int:
    """End the post's candidacies at once; answers how many this call ended (the others had
    ended on their own)."""
    ended = await asyncio.gather(*(close_candidacy(client, job_post_id, c) for c in candidacy_ids))
    return sum(ended)
