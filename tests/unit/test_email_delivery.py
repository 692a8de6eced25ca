"""Email delivery against a real SMTP server on loopback, on both databases: a row another attempt
is sending is left to it, a dead attempt's claim is taken over without letting the old attempt
send, a send is recorded even when its attempt is cancelled meanwhile (and the claim it took for
the next email released), a cancellation between two emails stops the rest, a relayed message
goes to all its recipients over one connection, and what an invite costs the database."""

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import create_engine, event, insert, update
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.testing import ActivityEnvironment

from activities.invites import (
    AT_ONCE_OPENING_SECONDS,
    AT_ONCE_TOGETHER,
    InviteActivities,
)
from activities.messages import MessageActivities
from activities.notify import NotifyActivities
from contracts.messages import RelayMessage
from contracts.notify import (
    INVITE_AT_ONCE_GIVES_UP,
    INVITE_AT_ONCE_TIMEOUT,
    InviteRequest,
    NotifyRequest,
)
from core.db import Database, sync_url
from core.settings import Settings
from notifications.delivery import CLAIM_LIFETIME_IN_BUDGETS, Delivery, EmailsLeft
from notifications.email import send_budget
from notifications.threads import append_message, thread_between
from store.accounts import create_company, create_user
from store.models import Cancellation, JobPost, Notification, User, utcnow
from tests.mail import MailServer, SilentServer, SlowRecipients, _Keep
from workflows.policies import DELIVERY


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer(handler=SlowRecipients(delay=0.5))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def quick_mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def _settings(mail: MailServer) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_timeout_seconds=2,
        _env_file=None,  # type: ignore[call-arg]
    )


async def _user(db: Database, role: str = "contractor", company_id: str | None = None) -> User:
    suffix = uuid.uuid4().hex[:8]
    async with db.session() as session:
        user, _ = await create_user(
            session,
            role=role,
            name=f"Person {suffix}",
            email=f"person-{suffix}@example.com",
            company_id=company_id,
        )
    return user


async def _row(delivery: Delivery, user: User) -> Notification:
    return await delivery.record(
        user=user,
        event_key=f"delivery-{uuid.uuid4().hex}",
        template="shortlisted",
        context={"job_post_title": "Support lead", "link": None, "base_url": ""},
        link=None,
    )


async def _fresh(db: Database, row_id: str) -> Notification:
    async with db.session() as session:
        row = await session.get(Notification, row_id)
    assert row is not None
    return row


async def test_a_row_being_sent_is_left_to_its_attempt_and_a_dead_attempts_claim_is_taken_over(
    db: Database, mail: MailServer
) -> None:
    settings = _settings(mail)
    delivery = Delivery(db, settings)
    user = await _user(db)
    row = await _row(delivery, user)
    held_by_another = await delivery.claim(row.id)
    assert held_by_another is not None

    with pytest.raises(EmailsLeft):
        async with delivery.batch() as batch:
            assert await batch.email(row, user) is False
    assert mail.to(user.email) == []

    # The claim is as old as a dead attempt's: taken over, and sent once.
    lifetime = CLAIM_LIFETIME_IN_BUDGETS * send_budget(settings)
    async with db.session() as session:
        await session.exec(
            update(Notification)
            .where(col(Notification.id) == row.id)
            .values(email_attempted_at=utcnow() - timedelta(seconds=lifetime + 1))
        )
        await session.commit()
    async with delivery.batch() as batch:
        assert await batch.email(row, user) is True
    assert len(mail.to(user.email)) == 1
    assert (await _fresh(db, row.id)).emailed_at is not None
    # The old attempt, should it wake up, can no longer let the data go out.
    assert await delivery.data_going_out(row.id, held_by_another) is False
    async with delivery.batch() as batch:
        assert await batch.email(row, user) is False
    assert len(mail.to(user.email)) == 1


async def test_a_send_is_recorded_before_its_cancelled_attempt_gives_up(
    db: Database, mail: MailServer
) -> None:
    delivery = Delivery(db, _settings(mail))
    user = await _user(db)
    row = await _row(delivery, user)

    async def send() -> None:
        async with delivery.batch() as batch:
            await batch.email(row, user)

    sending = asyncio.create_task(send())
    await asyncio.sleep(0.2)  # the server is still accepting the recipient (0.5 s)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    # The cancellation waited for the send to end, and the row says how it ended.
    assert len(mail.to(user.email)) == 1
    fresh = await _fresh(db, row.id)
    assert fresh.emailed_at is not None and fresh.email_attempt is None


async def test_a_relayed_message_goes_to_every_recipient_over_one_connection(
    db: Database, mail: MailServer
) -> None:
    settings = _settings(mail)
    async with db.session() as session:
        company = await create_company(session, f"Company {uuid.uuid4().hex[:8]}")
    members = [await _user(db, "client", company.id) for _ in range(3)]
    contractor = await _user(db)
    async with db.session() as session:
        thread = await thread_between(session, company.id, contractor.id, at=utcnow())
        message, _ = await append_message(
            session, thread, body="Is the role still open?", at=utcnow(), sender_id=contractor.id
        )
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=DELIVERY.start_to_close)
    activities = MessageActivities(db, settings)
    sent = await env.run(activities.relay_message, RelayMessage(message_id=message.id))
    assert sent == 3
    for member in members:
        assert len(mail.to(member.email)) == 1
    assert mail.connections_used == 1


async def test_a_send_starts_only_while_one_fits_in_the_time_left(
    db: Database, mail: MailServer
) -> None:
    settings = _settings(mail)
    delivery = Delivery(db, settings)
    users = [await _user(db) for _ in range(2)]
    rows = [await _row(delivery, user) for user in users]
    too_little = send_budget(settings) - 0.1
    with pytest.raises(EmailsLeft, match="too little time left"):
        async with delivery.batch(time_left=lambda: too_little) as batch:
            # The first send of an attempt starts whatever the time: the settings make it fit.
            assert await batch.email(rows[0], users[0]) is True
            assert await batch.email(rows[1], users[1]) is False
    assert len(mail.to(users[0].email)) == 1
    assert mail.to(users[1].email) == []
    assert (await _fresh(db, rows[1].id)).email_attempt is None


def _invite(users: list[User]) -> InviteRequest:
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    return InviteRequest(
        interview_id=f"interview-{uuid.uuid4().hex[:8]}",
        job_post_id="jp_unknown",
        round=1,
        kind="screening",
        method="REQUEST",
        sequence=0,
        start=start,
        end=start + timedelta(hours=1),
        stamp=utcnow(),
        recipient_ids=[u.id for u in users],
        template="interview_booked",
        event_key=f"invite-{uuid.uuid4().hex}",
        context={"round": 1, "kind": "screening", "job_post_title": "Support lead", "base_url": ""},
    )


async def test_an_invite_sent_at_once_gives_up_on_a_silent_server_within_its_opening_time(
    db: Database,
) -> None:
    """The at-once attempt (run inside a workflow task) waits at most AT_ONCE_OPENING_SECONDS
    for a greeting, not the SMTP timeout, and leaves every email unsent for `send_invite`."""
    silent = SilentServer()
    await silent.start()
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=silent.port,
        smtp_timeout_seconds=2,
        _env_file=None,  # type: ignore[call-arg]
    )
    users = [await _user(db) for _ in range(2)]
    request = _invite(users)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=DELIVERY.start_to_close)
    invites = InviteActivities(db, settings)
    began = time.monotonic()
    with pytest.raises(ApplicationError, match="2 email") as left:
        await env.run(invites.send_invite_at_once, request)
    assert left.value.category == ApplicationErrorCategory.BENIGN  # expected: no error logged
    took = time.monotonic() - began
    await silent.stop()
    assert AT_ONCE_OPENING_SECONDS <= took < AT_ONCE_OPENING_SECONDS + 1, took
    assert silent.accepted == 1

    mail = MailServer(silent.port)  # the mail server is back: the regular attempt sends them
    mail.start()
    try:
        assert await env.run(invites.send_invite, request) == 2
    finally:
        mail.stop()
    for user in users:
        [sent] = mail.to(user.email)
        calendars = [p for p in sent.walk() if p.get_content_type() == "text/calendar"]
        assert calendars and b"METHOD:REQUEST" in calendars[0].get_payload(decode=True)


async def test_an_invite_sent_at_once_emails_everyone_within_its_workflow_tasks_timeout(
    db: Database,
) -> None:
    """The at-once attempt is bounded by its workflow task (INVITE_AT_ONCE_TIMEOUT), shorter than
    the send budget of the default SMTP timeout: every recipient's email still goes out in it."""
    mail = MailServer()
    mail.start()
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        _env_file=None,  # type: ignore[call-arg]
    )
    assert send_budget(settings) > INVITE_AT_ONCE_TIMEOUT.total_seconds()
    users = [await _user(db) for _ in range(3)]
    env = _at_once_env()
    try:
        sent = await env.run(InviteActivities(db, settings).send_invite_at_once, _invite(users))
    finally:
        mail.stop()
    assert sent == 3
    assert all(len(mail.to(user.email)) == 1 for user in users)


def _at_once_env() -> ActivityEnvironment:
    """An activity environment as a local activity's run of `send_invite_at_once`."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, start_to_close_timeout=INVITE_AT_ONCE_TIMEOUT, is_local=True
    )
    return env


def test_an_invite_at_once_ends_before_its_workflow_task_would_be_heartbeated() -> None:
    """Past 80% of the workflow task's timeout (the default 10 s: interviews set none) the SDK
    would complete the task and start another while the local activity runs: more events."""
    assert INVITE_AT_ONCE_GIVES_UP < INVITE_AT_ONCE_TIMEOUT < 0.8 * timedelta(seconds=10)


async def test_an_invite_that_gets_no_turn_at_once_is_left_for_the_regular_send_within_its_task(
    db: Database, mail: MailServer
) -> None:
    """Attempts at once take turns, AT_ONCE_TOGETHER at a time: one that has had no turn within
    its bound (INVITE_AT_ONCE_GIVES_UP; a second here) gives up (benign, nothing sent) and the
    regular send sends it."""
    gives_up = timedelta(seconds=1)
    invites = InviteActivities(db, _settings(mail), at_once_gives_up=gives_up)
    users = [await _user(db) for _ in range(2)]
    request = _invite(users)
    env = _at_once_env()
    for _ in range(AT_ONCE_TOGETHER):
        await invites.at_once.acquire()  # every turn taken by attempts under way
    began = time.monotonic()
    with pytest.raises(ApplicationError, match="no time left") as left:
        await env.run(invites.send_invite_at_once, request)
    took = time.monotonic() - began
    assert gives_up.total_seconds() <= took < gives_up.total_seconds() + 1, took
    assert left.value.category == ApplicationErrorCategory.BENIGN
    assert all(mail.to(user.email) == [] for user in users)

    env.info = dataclasses.replace(env.info, start_to_close_timeout=DELIVERY.start_to_close)
    assert await env.run(invites.send_invite, request) == 2
    assert all(len(mail.to(user.email)) == 1 for user in users)


async def test_a_cancelled_attempt_releases_the_claim_it_took_for_the_next_email(
    db: Database, mail: MailServer
) -> None:
    """A batch claims each next row with the previous one's emailed mark: an attempt cancelled
    during a send leaves no claim behind on the row it will not send, which the next attempt
    sends at once."""
    delivery = Delivery(db, _settings(mail))
    users = [await _user(db) for _ in range(2)]
    rows = await delivery.record_all(
        users,
        event_key=f"delivery-{uuid.uuid4().hex}",
        template="shortlisted",
        context={"job_post_title": "Support lead", "link": None, "base_url": ""},
        link=None,
    )

    async def send() -> None:
        async with delivery.batch() as batch:
            await batch.email_all(list(zip(rows, users, strict=True)))

    sending = asyncio.create_task(send())
    await asyncio.sleep(0.2)  # the server is still accepting the first recipient (0.5 s)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert len(mail.to(users[0].email)) == 1
    assert (await _fresh(db, rows[0].id)).emailed_at is not None
    unsent = await _fresh(db, rows[1].id)
    assert unsent.email_attempt is None and unsent.emailed_at is None
    assert mail.to(users[1].email) == []

    async with delivery.batch() as batch:
        assert await batch.email(unsent, users[1]) is True
    assert len(mail.to(users[1].email)) == 1


class _CancelsAtTheFirstMessage(_Keep):
    """Keeps what it receives, and records a cancellation once the first message is in."""

    def __init__(self, cancel: Callable[[], None]) -> None:
        super().__init__()
        self.cancel = cancel

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == 1:
            self.cancel()
        return answer


async def test_a_cancellation_landing_between_two_emails_of_a_notification_stops_the_rest(
    db: Database,
) -> None:
    users = [await _user(db) for _ in range(3)]
    interview_id = f"interview-{uuid.uuid4().hex[:8]}"
    writer = create_engine(sync_url(db.url))

    def cancel() -> None:
        with writer.begin() as connection:
            connection.execute(
                insert(Cancellation).values(
                    subject_id=interview_id, reason="", cancelled_at=utcnow()
                )
            )

    mail = MailServer(handler=_CancelsAtTheFirstMessage(cancel))
    mail.start()
    request = NotifyRequest(
        event_key=f"{interview_id}:reminder",
        template="shortlisted",
        recipient_ids=[user.id for user in users],
        context={"job_post_title": "Support lead"},
        subject_id=interview_id,
    )
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=DELIVERY.start_to_close)
    try:
        sent = await env.run(NotifyActivities(db, _settings(mail)).send_notification, request)
    finally:
        mail.stop()
        writer.dispose()
    assert sent == 1
    assert [len(mail.to(user.email)) for user in users] == [1, 0, 0]
    async with db.session() as session:
        found = await session.exec(
            select(Notification).where(Notification.event_key == request.event_key)
        )
        rows = {row.user_id: row for row in found}
    assert rows[users[0].id].emailed_at is not None
    for user in users[1:]:  # told in-app or not, never emailed nor left claimed
        row = rows.get(user.id)
        assert row is None or (row.emailed_at, row.email_attempt, row.email_data_at) == (None,) * 3

    # The retry of an attempt that stopped on the cancellation sends nothing either.
    assert await env.run(NotifyActivities(db, _settings(mail)).send_notification, request) == 0


async def test_an_invite_to_three_people_costs_13_statements_and_8_commits(
    db: Database, quick_mail: MailServer
) -> None:
    """An invite's database work, on which its CPU time in the worker mostly depends: one
    session reads the job post, then the recipients with the event's rows and the company with
    its hire (3 statements); one transaction writes the three rows (1); each email claims its
    row, marks its data going out and marks it emailed (9), each emailed mark committed with
    the claim of the next row (8 commits in all)."""
    async with db.session() as session:
        company = await create_company(session, f"Company {uuid.uuid4().hex[:8]}")
    contractor = await _user(db)
    members = [await _user(db, "client", company.id) for _ in range(2)]
    async with db.session() as session:
        job_post = JobPost(
            id=f"jp_{uuid.uuid4().hex[:10]}",
            company_id=company.id,
            owner_id=members[0].id,
            title="Support lead",
            budget_min_cents=1,
            budget_max_cents=2,
            industry="support",
            created_at=utcnow(),
        )
        session.add(job_post)
        await session.commit()
    invites = InviteActivities(db, _settings(quick_mail))
    env = _at_once_env()
    request = _invite([contractor, *members])
    # The context as the interview workflow sends it: ids, to be named from the store.
    context = {"job_post_id": job_post.id, "contractor_id": contractor.id, "sequence": 0}
    request = request.model_copy(
        update={"job_post_id": job_post.id, "context": {**request.context, **context}}
    )
    with _counting(db) as (statements, commits):
        assert await env.run(invites.send_invite_at_once, request) == 3
    assert sorted(statements) == ["INSERT"] + ["SELECT"] * 3 + ["UPDATE"] * 9, statements
    assert len(commits) == 8
    [sent] = quick_mail.to(members[1].email)
    calendar = next(p for p in sent.walk() if p.get_content_type() == "text/calendar")
    assert b"SUMMARY:Interview\\, round 1 (screening): Support lead" in calendar.get_payload(
        decode=True
    )


@contextmanager
def _counting(db: Database) -> Iterator[tuple[list[str], list[object]]]:
    """The SQL statements (their first word) and the commits run meanwhile."""
    statements: list[str] = []
    commits: list[object] = []

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0].upper())

    def committed(conn: object) -> None:
        commits.append(conn)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        yield statements, commits
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", committed)
