"""The hand-over of what a workflow had not sent when it ended: a DeliveriesWorkflow of its own,
started here rather than as a child, so that it runs on with no parent to report to."""

from typing import Any

from temporalio import activity
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from contracts import deliveries as interface
from contracts.deliveries import DELIVERIES_WORKFLOW, Unsent
from workflows import summaries


class DeliveryActivities(interface.DeliveryActivities):
    def activities(self) -> list[Any]:
        return [self.hand_over]

    @activity.defn
    async def hand_over(self, unsent: Unsent) -> None:
        """Start the DeliveriesWorkflow sending `unsent` (once: a retried attempt finds it)."""
        try:
            await activity.client().start_workflow(
                DELIVERIES_WORKFLOW,
                unsent,
                id=unsent.workflow_id,
                task_queue=activity.info().task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                static_summary=summaries.unsent_summary(unsent.owner_id),
                static_details=summaries.unsent_details(),
            )
        except WorkflowAlreadyStartedError:
            pass  # started by an earlier attempt, and already done
