"""What a workflow tells people, as data: a notification, a calendar invite or a thread message.

A workflow queues its deliveries in its outbox (workflows/outbox.py), whose drain sends them in
order, off the story's path. A workflow that ends before everything is sent hands the rest, in
order, to a DeliveriesWorkflow of its own (`<key>:unsent`, started by an activity: it has no
parent and outlives the workflow): the end waits for no mail server, and nothing is lost.
Sending twice is harmless: each delivery is recorded once per event key, and an email goes out
at most once per row.

Not sandboxed (as InterviewWorkflow, whose deliveries it takes over): its imports are passed
through, and it reads no clock and does no I/O of its own.
"""

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, FailureError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from contracts.deliveries import Delivery, DeliveryActivities, Unsent
    from contracts.messages import MessageActivities
    from contracts.notify import (
        INVITE_AT_ONCE_TIMEOUT,
        InviteActivities,
        InviteRequest,
        NotifyActivities,
    )
    from workflows.common import error_type, in_words, run_activity
    from workflows.outbox import Outbox
    from workflows.policies import DELIVERY


async def deliver(delivery: Delivery, *, invite_at_once: bool = False) -> None:
    """Send one delivery: email retries with capped backoff until the mail server takes it; an
    invite or a thread message that fails for good raises. With `invite_at_once`, an invite is
    first tried in the workflow task that queued it (see `_sent_at_once`)."""
    if delivery.notify is not None:
        request = delivery.notify
        summary = f"notify: {in_words(request.template)} to {', '.join(request.recipient_ids)}"
        try:
            await run_activity(NotifyActivities.send_notification, request, DELIVERY, summary)
        except ActivityError:
            pass  # (logged) a failed notice never holds up what follows it
    elif delivery.invite is not None:
        if not (invite_at_once and await _sent_at_once(delivery.invite)):
            await run_activity(InviteActivities.send_invite, delivery.invite, DELIVERY)
    else:
        await run_activity(MessageActivities.post_system_message, delivery.message)


async def _sent_at_once(invite: InviteRequest) -> bool:
    """One quick attempt as a local activity: when it sends every email, the invite costs its
    workflow a marker instead of an activity task and a second workflow task. It holds the
    workflow task (and any update behind it) while it waits for its turn in the worker (in a
    burst) and a healthy mail server takes the emails, INVITE_AT_ONCE_GIVES_UP at most, and
    gives up in half a second on a server that does not greet: `send_invite` then sends them."""
    try:
        await workflow.execute_local_activity_method(
            InviteActivities.send_invite_at_once,
            invite,
            start_to_close_timeout=INVITE_AT_ONCE_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=1),
            summary="send invite at once",
        )
        return True
    except FailureError as failure:  # (a local activity's failure may come unwrapped)
        if is_cancelled_exception(failure):
            raise
        reason = error_type(failure) if isinstance(failure, ActivityError) else repr(failure)
        workflow.logger.info("invite %s goes out later: %s", invite.event_key, reason)
        return False


def queue(outbox: Outbox, delivery: Delivery, *, invite_at_once: bool = False) -> None:
    outbox.put(delivery.what, lambda: deliver(delivery, invite_at_once=invite_at_once), delivery)


def unsent_workflow_id(key: str) -> str:
    return f"{key}:unsent"


async def hand_over_unsent(outbox: Outbox, key: str, owner_id: str, last: list[Delivery]) -> None:
    """End the outbox's sending here: what it has not sent yet, then `last`, go out from a
    DeliveriesWorkflow that outlives this one."""
    left = [d for d in outbox.hand_over() if isinstance(d, Delivery)] + last
    if left:
        unsent = Unsent(owner_id=owner_id, workflow_id=unsent_workflow_id(key), deliveries=left)
        await run_activity(DeliveryActivities.hand_over, unsent)


@workflow.defn(sandboxed=False)
class DeliveriesWorkflow:
    @workflow.run
    async def run(self, unsent: Unsent) -> int:
        """How many deliveries went out (the others failed, and are logged)."""
        sent = 0
        for number, delivery in enumerate(unsent.deliveries, start=1):
            workflow.set_current_details(
                f"Sending {number} of {len(unsent.deliveries)} left by {unsent.owner_id}: "
                f"{delivery.what}"
            )
            try:
                await deliver(delivery)
                sent += 1
            except FailureError as failure:
                workflow.logger.error(
                    "%s: %s failed: %s", unsent.owner_id, delivery.what, type(failure).__name__
                )
        workflow.set_current_details(f"Sent {sent} of {len(unsent.deliveries)}")
        return sent
