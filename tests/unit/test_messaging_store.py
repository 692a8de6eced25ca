"""The store operations under concurrency, on SQLite and PostgreSQL: one thread per company and
contractor, one message per event key, one notification row per (user, event)."""

import asyncio
import uuid
from datetime import UTC, datetime

from sqlmodel import select

from core.db import Database
from core.settings import Settings
from notifications.delivery import Delivery
from notifications.samples import sample_context
from notifications.threads import append_message, thread_between
from store.accounts import create_company, create_contractor
from store.models import Message, Notification, Thread, User

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def _pair(db: Database) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    async with db.session() as session:
        company = await create_company(session, f"Co {suffix}")
        contractor, _ = await create_contractor(
            session,
            name="C",
            email=f"c-{suffix}@example.com",
            hourly_rate_cents=4000,
            industries=[],
            languages=[],
        )
    return company.id, contractor.id


async def test_one_thread_per_company_and_contractor_under_concurrency(db: Database) -> None:
    company_id, contractor_id = await _pair(db)

    async def open_thread() -> str:
        async with db.session() as session:
            return (await thread_between(session, company_id, contractor_id, at=NOW)).id

    ids = await asyncio.gather(*(open_thread() for _ in range(8)))
    assert len(set(ids)) == 1
    async with db.session() as session:
        rows = list(await session.exec(select(Thread).where(Thread.company_id == company_id)))
    assert len(rows) == 1 and not rows[0].hired and len(rows[0].relay_token) == 24


async def test_one_system_message_per_event_key_under_concurrency(db: Database) -> None:
    company_id, contractor_id = await _pair(db)
    async with db.session() as session:
        thread = await thread_between(session, company_id, contractor_id, at=NOW)

    async def post() -> tuple[str, bool]:
        async with db.session() as session:
            message, created = await append_message(
                session, thread, body="Interview cancelled", at=NOW, event_key=f"{thread.id}:x"
            )
            return message.id, created

    results = await asyncio.gather(*(post() for _ in range(8)))
    assert len({message_id for message_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    async with db.session() as session:
        rows = list(await session.exec(select(Message).where(Message.thread_id == thread.id)))
    assert len(rows) == 1 and rows[0].kind == "system" and rows[0].sender_id is None


async def test_one_notification_row_per_user_and_event_under_concurrency(db: Database) -> None:
    _, user_id = await _pair(db)
    async with db.session() as session:
        user = await session.get(User, user_id)
    assert user is not None
    delivery = Delivery(db, Settings(_env_file=None))  # type: ignore[call-arg]

    async def record() -> str:
        row = await delivery.record(
            user=user,
            event_key="e:1",
            template="shortlisted",
            context=sample_context("shortlisted"),
            link=None,
        )
        return row.id

    ids = await asyncio.gather(*(record() for _ in range(8)))
    assert len(set(ids)) == 1
    async with db.session() as session:
        rows = list(await session.exec(select(Notification).where(Notification.user_id == user_id)))
    assert len(rows) == 1


async def test_the_rows_of_several_users_are_written_once_under_concurrency(db: Database) -> None:
    """Attempts writing the rows of several users at once, one of them written before: each
    user keeps one row, the same for every attempt."""
    users = []
    for _ in range(3):
        _, user_id = await _pair(db)
        async with db.session() as session:
            user = await session.get(User, user_id)
        assert user is not None
        users.append(user)
    delivery = Delivery(db, Settings(_env_file=None))  # type: ignore[call-arg]
    event = {"event_key": "e:many", "template": "shortlisted", "link": None}
    context = sample_context("shortlisted")
    earlier = await delivery.record(user=users[1], context=context, **event)

    async def record_all() -> list[str]:
        return [row.id for row in await delivery.record_all(users, context=context, **event)]

    answers = await asyncio.gather(*(record_all() for _ in range(8)))
    assert len({tuple(ids) for ids in answers}) == 1
    assert answers[0][1] == earlier.id
    async with db.session() as session:
        rows = list(
            await session.exec(select(Notification).where(Notification.event_key == "e:many"))
        )
    assert sorted(row.user_id for row in rows) == sorted(user.id for user in users)
