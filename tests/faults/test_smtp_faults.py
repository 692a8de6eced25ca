"""A failing mail server, through the real notification activity on a real worker and a Temporal
dev server (timeouts and heartbeats enforced in real time), with short timeouts from the settings:
email goes out once per recipient, over one connection per notification, and no send waits longer
than SMTP_TIMEOUT_SECONDS for the server."""

import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import BaseModel
from sqlmodel import select
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notify import NotifyActivities
from contracts.notify import NotifyRequest
from core.db import Database
from core.settings import Settings
from store.accounts import create_user
from store.models import Notification, User
from tests.faults.conftest import FaultOutcomes
from tests.helpers import eventually
from tests.mail import AnswersDataLate, MailServer, SilentServer, SlowRecipients, free_port

SMTP_TIMEOUT = 1.5


class SendingJob(BaseModel):
    request: NotifyRequest
    start_to_close_seconds: float
    heartbeat_seconds: float


@workflow.defn(sandboxed=False)
class SendOneNotification:
    """Sends one notification as the hiring workflows do, with the test's timeouts."""

    @workflow.run
    async def run(self, job: SendingJob) -> int:
        sent: int = await workflow.execute_activity(
            NotifyActivities.send_notification,
            job.request,
            start_to_close_timeout=timedelta(seconds=job.start_to_close_seconds),
            heartbeat_timeout=timedelta(seconds=job.heartbeat_seconds),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),
                backoff_coefficient=1.0,
                maximum_interval=timedelta(milliseconds=200),
            ),
        )
        return sent


@pytest.fixture(scope="module")
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    yield database
    await database.dispose()


def _settings(db_url: str, port: int) -> Settings:
    return Settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_timeout_seconds=SMTP_TIMEOUT,
        _env_file=None,  # type: ignore[call-arg]
    )


async def _recipients(db: Database, count: int) -> list[User]:
    users = []
    async with db.session() as session:
        for n in range(count):
            suffix = uuid.uuid4().hex[:8]
            user, _ = await create_user(
                session,
                role="contractor",
                name=f"Recipient {n}",
                email=f"recipient-{suffix}@example.com",
            )
            users.append(user)
    return users


def _request(users: list[User]) -> NotifyRequest:
    return NotifyRequest(
        event_key=f"smtp-fault-{uuid.uuid4().hex}:shortlisted",
        template="shortlisted",
        recipient_ids=[u.id for u in users],
        context={"job_post_title": "Support lead", "company_name": "Acme"},
        link="/candidacies/x",
    )


async def _rows(db: Database, event_key: str) -> dict[str, Notification]:
    async with db.session() as session:
        rows = await session.exec(select(Notification).where(Notification.event_key == event_key))
        return {row.user_id: row for row in rows}


async def _completing_attempt(handle: WorkflowHandle[object, object]) -> int:
    """The number of the activity attempt that completed (history keeps only that one)."""
    started = [
        e.activity_task_started_event_attributes.attempt
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert len(started) == 1, started
    return started[0]


async def _pending_attempt(handle: WorkflowHandle[object, object]) -> int:
    description = await handle.describe()
    pending = description.raw_description.pending_activities
    return pending[0].attempt if pending else 0


async def _start(
    env: WorkflowEnvironment,
    queue: str,
    request: NotifyRequest,
    *,
    start_to_close: float,
    heartbeat: float,
) -> WorkflowHandle[SendOneNotification, int]:
    return await env.client.start_workflow(
        SendOneNotification.run,
        SendingJob(
            request=request, start_to_close_seconds=start_to_close, heartbeat_seconds=heartbeat
        ),
        id=f"send-{uuid.uuid4().hex[:10]}",
        task_queue=queue,
    )


def _worker(env: WorkflowEnvironment, db: Database, settings: Settings, queue: str) -> Worker:
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[SendOneNotification],
        activities=NotifyActivities(db, settings).activities(),
    )


async def test_a_mail_server_that_never_answers_holds_a_send_no_longer_than_the_smtp_timeout(
    dev_env: WorkflowEnvironment, db: Database, sqlite_url: str, fault_outcomes: FaultOutcomes
) -> None:
    port = free_port()
    silent = SilentServer(port)
    await silent.start()
    users = await _recipients(db, 2)
    request = _request(users)
    queue = f"smtp-silent-{uuid.uuid4().hex[:8]}"
    async with _worker(dev_env, db, _settings(sqlite_url, port), queue):
        handle = await _start(dev_env, queue, request, start_to_close=6, heartbeat=3)
        started = time.monotonic()
        await eventually(lambda: _pending_attempt(handle), lambda attempt: attempt >= 2)
        first_attempt_ended = time.monotonic() - started
        description = await handle.describe()
        await silent.stop()
        attempt = await _pending_attempt(handle)

        # The attempt gave up by itself, on the SMTP timeout, long before the activity's own.
        failure = description.raw_description.pending_activities[0].last_failure
        error = await dev_env.client.data_converter.decode_failure(failure)  # sealed by the codec
        assert "did not answer in time" in str(error), error
        assert silent.held_seconds, "the server never saw the connection end"
        assert max(silent.held_seconds) < SMTP_TIMEOUT + 1.5, silent.held_seconds
        assert first_attempt_ended < 6, first_attempt_ended
        # At most one connection per attempt: after it failed, the other recipient waited.
        assert 1 <= silent.accepted <= attempt, (silent.accepted, attempt)
        rows = await _rows(db, request.event_key)
        assert len(rows) == 2  # both told in-app already
        assert all(r.emailed_at is None and r.email_attempt is None for r in rows.values())

        mail = MailServer(port)  # the real server answers on the same port now
        mail.start()
        try:
            assert await handle.result() == 2
        finally:
            mail.stop()
    for user in users:
        assert len(mail.to(user.email)) == 1, user.email
    assert mail.connections_used == 1
    rows = await _rows(db, request.event_key)
    assert all(r.emailed_at is not None and not r.email_uncertain for r in rows.values())
    print(
        f"\nSMTP never answering: first attempt ended after {first_attempt_ended:.2f}s "
        f"(SMTP timeout {SMTP_TIMEOUT}s, activity timeout 6s); after recovery each of "
        f"{len(users)} recipients got 1 email over {mail.connections_used} connection"
    )
    fault_outcomes.add(
        "SMTP never answers",
        f"one notification to {len(users)} people, SMTP timeout {SMTP_TIMEOUT}s",
        f"each attempt gave up after {max(silent.held_seconds):.1f}s; after recovery "
        f"1 email each over {mail.connections_used} connection",
    )


async def test_a_mail_server_answering_the_data_after_the_timeouts_still_gets_one_email_each(
    dev_env: WorkflowEnvironment, db: Database, sqlite_url: str, fault_outcomes: FaultOutcomes
) -> None:
    start_to_close = 4.0
    handler = AnswersDataLate(
        delay=start_to_close + 1
    )  # slower than the SMTP and activity timeouts
    mail = MailServer(handler=handler)
    mail.start()
    users = await _recipients(db, 2)
    request = _request(users)
    queue = f"smtp-late-{uuid.uuid4().hex[:8]}"
    try:
        async with _worker(dev_env, db, _settings(sqlite_url, mail.port), queue):
            handle = await _start(
                dev_env, queue, request, start_to_close=start_to_close, heartbeat=2
            )
            assert await handle.result() == 1  # the retry sent the second recipient's only
            attempt = await _completing_attempt(handle)
            # The late answer arrives after the retry; nothing is sent again meanwhile.
            await eventually(lambda: _async(handler.late_answer_over.is_set()), bool)
    finally:
        mail.stop()
    assert attempt == 2
    first, second = users
    assert len(mail.to(first.email)) == 1
    assert len(mail.to(second.email)) == 1
    rows = await _rows(db, request.event_key)
    # The first row says its email may have been delivered; the second was confirmed.
    assert rows[first.id].email_uncertain and rows[first.id].emailed_at is None
    assert rows[second.id].emailed_at is not None and not rows[second.id].email_uncertain
    assert str(mail.to(first.email)[0]["Message-ID"]) == f"<{rows[first.id].id}@relay.hiring.local>"
    print(
        "\nSMTP answering the data too late: 1 email to each of 2 recipients; the unanswered "
        "one marked as possibly delivered and not sent again by the retry"
    )
    fault_outcomes.add(
        "SMTP answers DATA late",
        f"DATA answered after {handler.delay:.0f}s (activity timeout {start_to_close:.0f}s)",
        f"1 email to each of {len(users)} people; the unanswered one marked, not resent",
    )


async def test_one_connection_serves_every_recipient_and_a_long_send_heartbeats(
    dev_env: WorkflowEnvironment, db: Database, sqlite_url: str, fault_outcomes: FaultOutcomes
) -> None:
    heartbeat = 2.0
    # Each recipient takes 0.6 s to accept: five of them outlast the heartbeat timeout.
    mail = MailServer(handler=SlowRecipients(delay=0.6))
    mail.start()
    users = await _recipients(db, 5)
    request = _request(users)
    queue = f"smtp-batch-{uuid.uuid4().hex[:8]}"
    settings = _settings(sqlite_url, mail.port)
    try:
        async with _worker(dev_env, db, settings, queue):
            handle = await _start(dev_env, queue, request, start_to_close=30, heartbeat=heartbeat)
            started = time.monotonic()
            assert await handle.result() == 5
            took = time.monotonic() - started
            attempt = await _completing_attempt(handle)
    finally:
        mail.stop()
    assert took > heartbeat  # the send outlasted the heartbeat timeout in one attempt
    assert attempt == 1
    assert mail.connections_used == 1
    for user in users:
        assert len(mail.to(user.email)) == 1
    fault_outcomes.add(
        "SMTP slow per recipient",
        f"one notification to {len(users)} people, 0.6s per recipient, heartbeat {heartbeat:.0f}s",
        f"1 attempt of {took:.1f}s, {mail.connections_used} connection, 1 email each",
    )


async def _async(value: object) -> object:
    return value


async def test_a_send_starts_only_when_it_fits_in_the_attempt_and_the_retry_sends_the_rest(
    dev_env: WorkflowEnvironment, db: Database, sqlite_url: str
) -> None:
    # A send may take 3 s (twice the SMTP timeout); each takes about 1 s here, so an attempt of
    # 5 s sends two and leaves the rest to the retry instead of running into its timeout.
    mail = MailServer(handler=SlowRecipients(delay=1.0))
    mail.start()
    users = await _recipients(db, 4)
    request = _request(users)
    queue = f"smtp-fit-{uuid.uuid4().hex[:8]}"
    try:
        async with _worker(dev_env, db, _settings(sqlite_url, mail.port), queue):
            handle = await _start(dev_env, queue, request, start_to_close=5, heartbeat=3)
            await handle.result()
            attempt = await _completing_attempt(handle)
    finally:
        mail.stop()
    assert attempt >= 2
    # Every attempt ended by itself having sent over its one connection.
    assert mail.connections_used == attempt
    for user in users:
        assert len(mail.to(user.email)) == 1
    rows = await _rows(db, request.event_key)
    assert all(r.emailed_at is not None and not r.email_uncertain for r in rows.values())
