"""Ending a job post's candidacies through their workflows (closing the post, or a candidacy
that started while the post was closing)."""

import asyncio

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.candidacy import CandidacyWorkflow

# Candidacies closed at once when a job post closes; the rest wait their turn.
CLOSE_CONCURRENCY = 10


async def end_candidacies(temporal: Client, candidacy_ids: list[str]) -> int:
    """Close each candidacy's workflow; answers how many were still open and now ended."""
    gate = asyncio.Semaphore(CLOSE_CONCURRENCY)

    async def end(candidacy_id: str) -> bool:
        async with gate:
            try:
                await temporal.get_workflow_handle(candidacy_id).execute_update(
                    CandidacyWorkflow.close
                )
            except WorkflowUpdateFailedError:  # it ended meanwhile (withdrawn, rejected...)
                return False
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:  # its workflow already finished
                    return False
                raise
            return True

    return sum(await asyncio.gather(*(end(i) for i in candidacy_ids)))
