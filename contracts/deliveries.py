"""What a workflow tells people, as data (a notification, a calendar invite, a thread message),
and what it hands over when it ends before everything is sent (workflows/deliveries.py)."""

from abc import ABC, abstractmethod

from pydantic import BaseModel
from temporalio import activity

from contracts.messages import SystemMessage
from contracts.notify import InviteRequest, NotifyRequest

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


class DeliveryActivities(ABC):
    """The hand-over of what a workflow left unsent (activities/deliveries.py)."""

    @activity.defn
    @abstractmethod
    async def hand_over(self, unsent: Unsent) -> None:
        """Start the DeliveriesWorkflow sending `unsent` (once: a retried attempt finds it)."""
