"""SMTP down for a while, then up: the activities retry with backoff in a real worker on the
time-skipping server, and every notification and message arrives exactly once per recipient."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from sqlmodel import select
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.notify import NotifyActivities
from contracts.notify import CancelNotifications, NotifyRequest
from store.models import Message, Notification
from tests.helpers import eventually
from tests.mail import MailServer, _Keep
from tests.stack import Actor, Stack, running_stack
from workflows.common import notify
from workflows.message_relay import relay_workflow_id


class _Flaky(_Keep):
    """Keeps what it receives, but first refuses a number of deliveries to given addresses."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals: dict[str, int] = {}

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        for address in envelope.rcpt_tos:
            if self.refusals.get(address, 0) > 0:
                self.refusals[address] -= 1
                return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def smtp_later() -> MailServer:
    """An SMTP server whose port nothing listens on until the test starts it."""
    server = MailServer()
    server.handler = _Flaky()
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    return server


@pytest.fixture(scope="module")
async def stack(
    time_env: WorkflowEnvironment, sqlite_url: str, smtp_later: MailServer
) -> AsyncIterator[Stack]:
    async with running_stack(time_env, sqlite_url, smtp_later) as running:
        yield running
    smtp_later.stop()


async def _async(value: object) -> object:
    return value


async def _pending_attempts(handle: WorkflowHandle[object, object]) -> list[int]:
    description = await handle.describe()
    return [a.attempt for a in description.raw_description.pending_activities]


async def _notification(stack: Stack, user_id: str, kind: str) -> list[Notification]:
    async with stack.db.session() as session:
        query = select(Notification).where(
            Notification.user_id == user_id, Notification.kind == kind
        )
        return list(await session.exec(query))


async def _applied(stack: Stack) -> tuple[Actor, Actor, Actor, str]:
    """(client, colleague, contractor, candidacy id): the contractor applied to a job post of the
    client, whose company has a second member."""
    client = await stack.client_user()
    colleague = await stack.colleague(client)
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    return client, colleague, contractor, str(applied.json()["id"])


async def _message_relay(
    stack: Stack, contractor: Actor, client: Actor, body: str
) -> WorkflowHandle[object, object]:
    """The email relay of a message the contractor sends to the client's company."""
    thread = await stack.http.post(
        "/threads", json={"company_id": client.company_id}, headers=contractor.auth
    )
    sent = await stack.http.post(
        f"/threads/{thread.json()['id']}/messages", json={"body": body}, headers=contractor.auth
    )
    assert sent.status_code == 201, sent.text
    return stack.env.client.get_workflow_handle(relay_workflow_id(sent.json()["id"]))


async def test_smtp_down_then_up_every_notification_arrives_exactly_once(
    stack: Stack, smtp_later: MailServer
) -> None:
    # An application notifies the job post's owner; a message relays to both client members.
    client, colleague, contractor, candidacy_id = await _applied(stack)
    candidacy = stack.env.client.get_workflow_handle(candidacy_id)
    relay = await _message_relay(stack, contractor, client, "Hello, I applied yesterday.")

    # SMTP is down: attempts fail and are retried with backoff; the in-app rows exist once.
    await stack.env.sleep(timedelta(minutes=3))
    attempts = await eventually(
        lambda: _pending_attempts(relay), lambda a: a and a[0] >= 3, seconds=60
    )
    assert attempts[0] >= 3
    assert (await eventually(lambda: _pending_attempts(candidacy), bool, seconds=60))[0] >= 2
    [owner_row] = await _notification(stack, client.id, "application_received")
    assert owner_row.emailed_at is None
    assert smtp_later.messages == []

    smtp_later.start()
    await stack.env.sleep(timedelta(minutes=10))
    assert await relay.result() == 2
    await eventually(lambda: _pending_attempts(candidacy), lambda a: a == [], seconds=60)

    def arrived(address: str, words: str) -> int:
        return sum(1 for m in smtp_later.to(address) if words in str(m["Subject"]))

    assert arrived(client.email, "New application") == 1
    assert arrived(client.email, "sent you a message") == 1
    assert arrived(colleague.email, "sent you a message") == 1
    assert arrived(colleague.email, "New application") == 0
    assert smtp_later.to(contractor.email) == []
    [owner_row] = await _notification(stack, client.id, "application_received")
    assert owner_row.emailed_at is not None
    for member in (client, colleague):
        [row] = await _notification(stack, member.id, "thread_message")
        assert row.emailed_at is not None
    async with stack.db.session() as session:
        messages = list(await session.exec(select(Message)))
    assert len(messages) == 1


async def test_smtp_refusing_one_recipient_never_resends_to_the_others(
    stack: Stack, smtp_later: MailServer
) -> None:
    client, colleague, contractor, _ = await _applied(stack)
    await eventually(
        lambda: _async(smtp_later.to(client.email)),
        lambda mails: any("New application" in str(m["Subject"]) for m in mails),
    )
    # The relay emails the members in id order: the second one's deliveries are refused twice.
    first, second = sorted([(client.id, client.email), (colleague.id, colleague.email)])
    assert isinstance(smtp_later.handler, _Flaky)
    smtp_later.handler.refusals[second[1]] = 2
    relay = await _message_relay(stack, contractor, client, "Is the role still open?")
    await stack.env.sleep(timedelta(minutes=5))
    assert await relay.result() == 1  # the last attempt sent only the refused one
    history = [e async for e in relay.fetch_history_events()]
    started = [e for e in history if e.HasField("activity_task_started_event_attributes")]
    assert started[-1].activity_task_started_event_attributes.attempt == 3
    for _, address in (first, second):
        relayed = [m for m in smtp_later.to(address) if "Is the role still open?" in str(m)]
        assert len(relayed) == 1, address
    assert smtp_later.handler.refusals[second[1]] == 0


@workflow.defn(sandboxed=False)
class RemindAboutInterview:
    """A workflow sending one notification about an interview, as the hiring workflows do."""

    @workflow.run
    async def run(self, request: NotifyRequest) -> None:
        await notify(
            request.event_key,
            request.template,
            request.recipient_ids,
            request.context,
            subject_id=request.subject_id,
        )


async def test_nothing_is_sent_once_the_interview_is_cancelled_during_retries(
    stack: Stack, smtp_later: MailServer
) -> None:
    contractor = await stack.contractor()
    interview_id = f"interview-jp_{uuid.uuid4().hex[:10]}-{contractor.id}-r1"
    assert isinstance(smtp_later.handler, _Flaky)
    smtp_later.handler.refusals[contractor.email] = 1_000
    queue = f"remind-{uuid.uuid4().hex[:8]}"
    activities = NotifyActivities(stack.db, stack.settings)
    request = NotifyRequest(
        event_key=f"{interview_id}:reminder-1h",
        template="shortlisted",
        recipient_ids=[contractor.id],
        context={"job_post_title": "Support lead"},
        subject_id=interview_id,
    )
    async with Worker(
        stack.env.client,
        task_queue=queue,
        workflows=[RemindAboutInterview],
        activities=activities.activities(),
    ):
        handle = await stack.env.client.start_workflow(
            RemindAboutInterview.run, request, id=f"remind-{interview_id}", task_queue=queue
        )
        await stack.env.sleep(timedelta(minutes=2))
        await eventually(lambda: _pending_attempts(handle), lambda a: a and a[0] >= 2)
        [row] = await _notification(stack, contractor.id, "shortlisted")
        assert row.emailed_at is None

        await ActivityEnvironment().run(
            activities.cancel_notifications, CancelNotifications(subject_id=interview_id)
        )
        smtp_later.handler.refusals[contractor.email] = 0
        await stack.env.sleep(timedelta(minutes=10))
        await handle.result()
    assert smtp_later.to(contractor.email) == []
    [row] = await _notification(stack, contractor.id, "shortlisted")
    assert row.emailed_at is None
