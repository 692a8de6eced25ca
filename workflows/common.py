"""Helpers every hiring workflow shares: running activities by purpose, deadlines, notifications.

The retry policies themselves are in workflows/policies.py."""

from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.notify import Notice, NotifyActivities, NotifyRequest
    from workflows.outbox import Outbox
    from workflows.policies import ATTENDED, BOOKKEEPING, DELIVERY, ActivityPolicy

# The main loop's bookkeeping (kept under these names for the workflows that use them directly).
ACTIVITY_TIMEOUT = BOOKKEEPING.start_to_close
RETRY = BOOKKEEPING.retry


async def run_activity(
    activity: Any, arg: Any, policy: ActivityPolicy = BOOKKEEPING, summary: str | None = None
) -> Any:
    """Run an activity under a policy; a failure it gives up on is logged (the activity, the
    error's type) and raised to the caller. The summary is what the UI's event history shows for
    it (by default, the activity's name in words)."""
    try:
        return await workflow.execute_activity(
            activity,
            arg,
            start_to_close_timeout=policy.start_to_close,
            heartbeat_timeout=policy.heartbeat,
            retry_policy=policy.retry,
            summary=summary or in_words(activity),
        )
    except ActivityError as failure:
        workflow.logger.error("activity %s failed: %s", failure.activity_type, error_type(failure))
        raise


def in_words(activity: Any) -> str:
    """An activity's name as words: `project_candidacy` reads "project candidacy"."""
    return str(getattr(activity, "__name__", activity)).replace("_", " ")


def error_type(failure: ActivityError) -> str:
    """The type of error behind a failed activity: an ApplicationError's type (a plain
    exception's class name), or the kind of failure (a timeout, a cancellation)."""
    cause = failure.cause
    if isinstance(cause, ApplicationError) and cause.type:
        return f"{cause.type}: {cause.message}"
    return f"{type(cause).__name__}: {cause}" if cause else str(failure)


async def project(activity: Any, arg: Any, outbox: Outbox) -> None:
    """Write a projection (the rows the API lists from) and wait for it, with the bounded
    ATTENDED policy: a handler's answer is then reflected in lists at once, and it is a fast,
    local database write. If it still fails, the write is queued in the outbox under the
    BOOKKEEPING policy (projections are versioned, so a late write never undoes a newer one) and
    the handler answers from the workflow's state all the same."""
    try:
        await run_activity(activity, arg, ATTENDED)
    except ActivityError:
        outbox.put(getattr(activity, "__name__", "projection"), lambda: run_activity(activity, arg))


async def notify(
    event_key: str,
    template: str,
    recipient_ids: list[str],
    context: dict[str, Any] | None = None,
    link: str | None = None,
    subject_id: str | None = None,
) -> None:
    """Tell the recipients in-app and by email, once per (event_key, recipient). With
    `subject_id`, nothing unsent goes out once that (an interview, ...) is cancelled
    (NotifyActivities.cancel_notifications).

    Delivery retries with capped backoff until the mail server takes the email; a validation or
    programming error (a missing template, ...) fails at once, is logged with the event key, and
    the workflow carries on: one failed notice never holds up the story."""
    try:
        await workflow.execute_activity_method(
            NotifyActivities.send_notification,
            NotifyRequest(
                event_key=event_key,
                template=template,
                recipient_ids=recipient_ids,
                context=context or {},
                link=link,
                at=workflow.now(),
                subject_id=subject_id,
            ),
            start_to_close_timeout=DELIVERY.start_to_close,
            heartbeat_timeout=DELIVERY.heartbeat,
            retry_policy=DELIVERY.retry,
            summary=f"notify: {template.replace('_', ' ')} to {', '.join(recipient_ids)}",
        )
    except ActivityError as failure:
        workflow.logger.error(
            "activity %s failed for event %s: %s",
            failure.activity_type,
            event_key,
            error_type(failure),
        )


async def tell(outbox: Outbox, queued_since: str, notice: Notice) -> None:
    """Queue a notice of a workflow's story: sent after the handler's answer, and the story goes
    on whatever the mail server does (a run started before the `queued_since` patch waited for
    each send)."""
    if workflow.patched(queued_since):
        queue_notice(outbox, notice)
    else:
        await send_notice(notice)


def queue_notice(outbox: Outbox, notice: Notice) -> None:
    outbox.put(notice.event_key, lambda: send_notice(notice))


async def send_notice(notice: Notice) -> None:
    await notify(
        event_key=notice.event_key,
        template=notice.template,
        recipient_ids=notice.recipient_ids,
        context=notice.context,
        link=notice.link,
    )


async def wait_until(deadline: datetime, done: Any, summary: str | None = None) -> bool:
    """Wait for `done()` until `deadline`; True when it came true, False when the time is up.
    The summary names what the deadline is for ("reminder 24 h before"): the UI shows it on the
    timer, with the deadline itself."""
    remaining = deadline - workflow.now()
    if remaining <= timedelta(0):
        return bool(done())
    label = f"{summary or 'deadline'} at {at_utc(deadline)}"
    try:
        await workflow.wait_condition(done, timeout=remaining, timeout_summary=label)
        return True
    except TimeoutError:
        return bool(done())


def at_utc(moment: datetime) -> str:
    """A moment as operators read it in the UI: 2026-12-04 17:00 UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
