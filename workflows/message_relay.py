"""MessageRelayWorkflow: one thread message emailed to the other side (`message-<message id>`).

The API stores the message and starts this workflow; the relay activity retries with capped
backoff (the DELIVERY policy of workflows/policies.py) until the SMTP server takes the email, and
sends it once per recipient whatever the retries. It has no handlers: nobody waits on it.
"""

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows import search_attributes as sa

with workflow.unsafe.imports_passed_through():
    from contracts.messages import MessageActivities, RelayMessage
    from workflows.common import run_activity
    from workflows.policies import DELIVERY


def relay_workflow_id(message_id: str) -> str:
    return f"message-{message_id}"


@workflow.defn
class MessageRelayWorkflow:
    @workflow.run
    async def run(self, request: RelayMessage) -> int:
        """How many emails went out."""
        workflow.set_current_details(
            f"Emailing message {request.message_id} until the mail server takes it"
        )
        sent: int = await run_activity(
            MessageActivities.relay_message,
            request,
            DELIVERY,
            summary=f"email message {request.message_id} to the other side",
        )
        workflow.set_current_details(f"Message {request.message_id} emailed: {sent} sent")
        return sent


def relay_search_attributes(company_id: str, contractor_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CLIENT_ID, company_id),
            SearchAttributePair(sa.CONTRACTOR_ID, contractor_id),
        ]
    )
