"""Closing a job post: the API starts its JobPostCloseWorkflow and answers the close as it stands
(an application that raced the close ends its own candidacy: Workflows.close_candidacies)."""

from datetime import datetime

from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.workflows import Workflows
from contracts.job_post_close import CloseProgress, CloseStart
from domain.ids import job_post_close_workflow_id
from store.models import JobPost
from workflows import search_attributes as sa
from workflows import summaries
from workflows.job_post_close import JobPostCloseWorkflow


async def start_close(
    temporal: Workflows, task_queue: str, job_post: JobPost, now: datetime
) -> CloseProgress:
    """Start the post's close, or answer the one already under way or done. A close that failed
    (its retries ran out) is started again: the new run ends whatever is still open."""
    start = CloseStart(job_post_id=job_post.id, company_id=job_post.company_id, requested_at=now)
    workflow_id = job_post_close_workflow_id(job_post.id)
    try:
        await temporal.start(
            JobPostCloseWorkflow.run,
            start,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            search_attributes=sa.for_job_post(job_post.id, job_post.company_id),
            static_summary=summaries.close_summary(job_post.id),
            static_details=summaries.close_details(),
        )
    except WorkflowAlreadyStartedError:
        return await close_progress(temporal, job_post.id)
    return CloseProgress(job_post_id=job_post.id, started_at=now)


async def close_progress(temporal: Workflows, job_post_id: str) -> CloseProgress:
    """The close's progress, from its workflow (running or finished)."""
    workflow_id = job_post_close_workflow_id(job_post_id)
    progress: CloseProgress = await temporal.query(workflow_id, JobPostCloseWorkflow.progress)
    return progress
