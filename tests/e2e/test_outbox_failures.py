"""A programming error in a notification (a template that does not exist) fails at once: one
attempt in the run's history, an error line naming the activity, the error and the event key, and
the workflow's outbox goes on to the next notice."""

import logging
import uuid

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Worker

from activities.notify import NotifyActivities
from tests.helpers import notified
from tests.stack import Stack
from workflows.common import notify
from workflows.outbox import Outbox


@workflow.defn(sandboxed=False)
class TwoNotices:
    """Queues a notice with a missing template, then a good one, and completes once both are
    through the outbox."""

    @workflow.run
    async def run(self, ids: list[str]) -> None:
        user_id, job_post_id = ids
        context = {"job_post_id": job_post_id, "contractor_id": user_id}
        outbox = Outbox()
        outbox.start()
        key = workflow.info().workflow_id
        outbox.put("missing", lambda: notify(f"{key}:missing", "no_such_template", [user_id]))
        outbox.put("good", lambda: notify(f"{key}:shortlisted", "shortlisted", [user_id], context))
        await outbox.flushed()


async def test_a_missing_template_is_not_retried_and_the_next_notice_goes_out(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    contractor = await stack.contractor()
    job = await stack.job_post(await stack.client_user())
    queue = f"notices-{uuid.uuid4().hex[:8]}"
    notices = NotifyActivities(stack.db, stack.settings)
    workflow_id = f"two-notices-{uuid.uuid4().hex[:8]}"
    with caplog.at_level(logging.ERROR):
        async with Worker(
            stack.env.client,
            task_queue=queue,
            workflows=[TwoNotices],
            activities=[notices.send_notification],
        ):
            handle = await stack.env.client.start_workflow(
                TwoNotices.run, [contractor.id, job["id"]], id=workflow_id, task_queue=queue
            )
            await handle.result()
    await notified(stack, contractor.id, "shortlisted")

    history = await handle.fetch_history()
    started = [
        e.activity_task_started_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    failed = [
        e.activity_task_failed_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
    ]
    assert [s.attempt for s in started] == [1, 1]
    assert len(failed) == 1
    assert failed[0].failure.application_failure_info.type == "TemplateNotFound"
    assert failed[0].failure.application_failure_info.non_retryable is False  # by the policy
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(
        "send_notification" in line
        and "TemplateNotFound" in line
        and f"{workflow_id}:missing" in line
        for line in logged
    ), logged
