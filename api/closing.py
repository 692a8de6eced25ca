"""Ending a job post's candidacies through their workflows (closing the post, or a candidacy
that started while the post was closing)."""

import asyncio

from fastapi import HTTPException

from api.workflows import Workflows
from workflows.candidacy import CandidacyWorkflow

# Candidacies closed at once when a job post closes; the rest wait their turn.
CLOSE_CONCURRENCY = 10


async def end_candidacies(temporal: Workflows, candidacy_ids: list[str]) -> int:
    """Close each candidacy's workflow; answers how many were still open and now ended."""
    gate = asyncio.Semaphore(CLOSE_CONCURRENCY)

    async def end(candidacy_id: str) -> bool:
        async with gate:
            try:
                await temporal.update(candidacy_id, CandidacyWorkflow.close)
            except HTTPException as refused:
                if refused.status_code == 409:  # it ended meanwhile (withdrawn, rejected...)
                    return False
                raise
            return True

    return sum(await asyncio.gather(*(end(i) for i in candidacy_ids)))
