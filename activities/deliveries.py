"""What a workflow tells people, as data (a notification, a calendar invite, a thread message),
and the hand-over of what it had not sent when it ended: a DeliveriesWorkflow of its own, started
here rather than as a child, so that it runs on with no parent to report to."""

from typing import Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.contracts import InviteRequest, NotifyRequest
from activities.messages import SystemMessage
from workflows import summaries

DELIVERIES_WORKFLOW = "DeliveriesWorkflow"


class Delivery(BaseModel):
    """One of: a notification, a calendar invite, a message in the pair's thread."""

    notify: NotifyRequest | None = None
    invite: InviteRequest | None = None
    message: SystemMessage | None = None

    @property
    def what(self) -> str:
        if self.notify is not None:
            return f"notify {self.notify.event_key}"
        if self.invite is not None:
            return f"invite {self.invite.event_key}"
        assert self.message is not None
        return f"thread message {self.message.event_key}"


class Unsent(BaseModel):
    """What a workflow left unsent when it ended, in the order it was to go out."""

    owner_id: str  # the workflow that queued them
    workflow_id: str  # of the DeliveriesWorkflow that sends them
    deliveries: list[Delivery]


class DeliveryActivities:
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
