"""Pulling a candidacy's open offer when the candidacy ends (withdrawn, closed, rejected).

The offer is a workflow of its own (`offer-<job>-<contractor>`), withdrawn through its `withdraw`
update like the client's own withdrawal, but quietly: the candidacy's ending notice already tells
the contractor, once. An offer that was never sent, or was already answered, is left as it is."""

from typing import Any

from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from contracts import offer as interface
from contracts.offer import WithdrawOfferRequest, WithdrawOpenOffer
from core.db import Database
from core.settings import Settings
from workflows.offer import OfferWorkflow


class OfferEndingActivities(interface.OfferEndingActivities):
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def activities(self) -> list[Any]:
        return [self.withdraw_open_offer]

    @activity.defn
    async def withdraw_open_offer(self, request: WithdrawOpenOffer) -> bool:
        """True when an open offer was withdrawn now; False when there was none open."""
        handle = activity.client().get_workflow_handle_for(OfferWorkflow.run, request.offer_id)
        try:
            # (temporalio types an async update's answer as a coroutine: hence `_ =`, it is unread)
            _ = await handle.execute_update(
                OfferWorkflow.withdraw,
                WithdrawOfferRequest(reason=request.reason, tell_contractor=False),
            )
        except WorkflowUpdateFailedError:  # already answered: accepted, declined, expired...
            return False
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:  # never sent, or its workflow closed
                return False
            raise
        return True
