"""JobPostCloseWorkflow (`close-<job post id>`): the owner closed a job post, and every open
candidacy of it ends as closed.

The story: the API has already stored the post as closed (no more applications, invitations or
slots) and answered. The close lists the post's open candidacies and withdraws its open slots,
then ends the candidacies in batches of BATCH_SIZE: each batch is one activity sending the
batch's `close` updates together, so never more than BATCH_SIZE are in flight, whatever the size
of the post. Each candidacy's own workflow cancels its interview (the slot withdrawn), pulls its
offer and tells the contractor. Last, open slots are withdrawn again (a cancellation racing the
close may have reopened one). Progress is a query (`progress`), the run's details in the UI and
the job post's `closing` field.

A batch that keeps failing (bounded retries) fails the close visibly; closing the post again
starts a new run that lists what is still open. Retries never end a candidacy twice: the update
carries one id per close.
"""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.job_post_close import (
        CloseProgress,
        CloseStart,
        CloseStatus,
        EndCandidacies,
        JobPostCloseActivities,
    )
    from workflows import search_attributes as sa
    from workflows.common import in_words

BATCH_SIZE = 20
# A batch waits on its candidacies' updates: each returns once its interview has wound down.
BATCH_TIMEOUT = timedelta(minutes=5)
STEP_TIMEOUT = timedelta(seconds=30)
# Bounded: an owner waits on the close. Past these attempts the close fails and shows why.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=6,
)


@workflow.defn
class JobPostCloseWorkflow:
    @workflow.init
    def __init__(self, start: CloseStart) -> None:
        self.state = CloseProgress(job_post_id=start.job_post_id, started_at=start.requested_at)

    @workflow.run
    async def run(self, start: CloseStart) -> CloseProgress:
        await self._show()
        try:
            open_ids: list[str] = await self._step(
                JobPostCloseActivities.open_candidacy_ids, start.job_post_id
            )
            self.state.candidacies_total = len(open_ids)
            await self._withdraw_open_slots()
            await self._show()
            for first in range(0, len(open_ids), BATCH_SIZE):
                await self._end_batch(open_ids[first : first + BATCH_SIZE])
            await self._withdraw_open_slots()
        except ActivityError as error:
            await self._fail(error)
        self.state.status = CloseStatus.FINISHED
        self.state.finished_at = workflow.now()
        await self._show()
        return self.state

    @workflow.query(
        description="How many candidacies have ended and slots were withdrawn, and the status."
    )
    def progress(self) -> CloseProgress:
        return self.state

    # --- the steps ---------------------------------------------------------------------------

    async def _end_batch(self, candidacy_ids: list[str]) -> None:
        first = self.state.candidacies_ended + 1
        await workflow.execute_activity_method(
            JobPostCloseActivities.end_candidacies,
            EndCandidacies(job_post_id=self.state.job_post_id, candidacy_ids=candidacy_ids),
            start_to_close_timeout=BATCH_TIMEOUT,
            retry_policy=RETRY,
            summary=f"end candidacies {first} to {first + len(candidacy_ids) - 1}",
        )
        self.state.candidacies_ended += len(candidacy_ids)
        await self._show()

    async def _withdraw_open_slots(self) -> None:
        withdrawn: int = await self._step(
            JobPostCloseActivities.withdraw_open_slots, self.state.job_post_id
        )
        self.state.slots_withdrawn += withdrawn

    async def _fail(self, error: ActivityError) -> None:
        cause = error.cause.message if isinstance(error.cause, ApplicationError) else str(error)
        self.state.status = CloseStatus.FAILED
        self.state.error = f"the close stopped: {cause}; close the job post again to resume"
        self.state.finished_at = workflow.now()
        await self._show()
        raise ApplicationError(self.state.error, non_retryable=True) from error

    # --- bookkeeping -------------------------------------------------------------------------

    async def _show(self) -> None:
        """The progress in the UI's details and on the job post's row."""
        total = self.state.candidacies_total
        if total is not None:
            self.state.candidacies_remaining = total - self.state.candidacies_ended
        sa.keep_current([sa.CLOSE_STATUS.value_set(self.state.status.value)])
        workflow.set_current_details(self._details())
        await self._step(JobPostCloseActivities.project_close, self.state)

    def _details(self) -> str:
        progress = self.state
        if progress.candidacies_total is None:
            return f"Close {progress.status}: listing open candidacies"
        return (
            f"Close {progress.status}: {progress.candidacies_ended} of "
            f"{progress.candidacies_total} candidacies ended, {progress.candidacies_remaining} "
            f"remaining; {progress.slots_withdrawn} slots withdrawn"
        )

    async def _step(self, activity: Any, arg: Any) -> Any:
        return await workflow.execute_activity(
            activity,
            arg,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=RETRY,
            summary=in_words(activity),
        )
