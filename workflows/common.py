"""Helpers every hiring workflow shares: activity defaults, deadlines, notifications."""

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.contracts import NotifyRequest
    from activities.notify import NotifyActivities

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Side effects retry with backoff until they succeed: each is idempotent on its own key.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


async def run_activity(activity: Any, arg: Any) -> Any:
    return await workflow.execute_activity(
        activity, arg, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY
    )


async def notify(
    event_key: str,
    template: str,
    recipient_ids: list[str],
    context: dict[str, Any] | None = None,
    link: str | None = None,
    about_interview_id: str | None = None,
) -> None:
    """Tell the recipients in-app and by email, once per (event_key, recipient). With
    `about_interview_id`, nothing unsent goes out once that interview is cancelled
    (NotifyActivities.cancel_notifications)."""
    await run_activity(
        NotifyActivities.send_notification,
        NotifyRequest(
            event_key=event_key,
            template=template,
            recipient_ids=recipient_ids,
            context=context or {},
            link=link,
            at=workflow.now(),
            about_interview_id=about_interview_id,
        ),
    )


async def wait_until(deadline: datetime, done: Any) -> bool:
    """Wait for `done()` until `deadline`; True when it came true, False when the time is up."""
    remaining = deadline - workflow.now()
    if remaining <= timedelta(0):
        return bool(done())
    try:
        await workflow.wait_condition(done, timeout=remaining)
        return True
    except TimeoutError:
        return bool(done())
