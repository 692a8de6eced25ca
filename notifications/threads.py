"""Threads between a client company and a contractor, and their messages: the store operations
the API and the activities share, and the relay addresses that carry them by email.

One thread per (company, contractor). It is in the `marketplace` panel until the contractor is
hired by the company (`hired`), then in the `workforce` panel. Each thread has a relay address,
`thread-<relay token>@<relay domain>`: messages are emailed from it and replies to it come back
into the thread, so neither side needs the other's address."""

import re
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.ids import new_id
from domain.roles import Role
from store.models import Message, Thread, User

_TOKEN_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


class Panel(StrEnum):
    MARKETPLACE = "marketplace"  # before the contractor is hired by the company
    WORKFORCE = "workforce"  # after


def panel_of(thread: Thread) -> Panel:
    return Panel.WORKFORCE if thread.hired else Panel.MARKETPLACE


def new_relay_token() -> str:
    # 24 characters of a 32-letter alphabet: 120 random bits, and safe in any mail system's
    # local part (lowercase, no punctuation).
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(24))


def relay_address(thread: Thread, relay_domain: str) -> str:
    return f"thread-{thread.relay_token}@{relay_domain}"


def relay_token_in(addresses: list[str], relay_domain: str) -> str | None:
    """The relay token of the first address that is one of ours."""
    pattern = re.compile(
        rf"^thread-([0-9a-z]+)@{re.escape(relay_domain.lower())}$", flags=re.IGNORECASE
    )
    for address in addresses:
        found = pattern.match(address.strip().lower())
        if found:
            return found.group(1)
    return None


async def thread_between(
    session: AsyncSession, company_id: str, contractor_id: str, *, at: datetime
) -> Thread:
    """The company's thread with the contractor, created when there is none yet."""
    query = select(Thread).where(
        Thread.company_id == company_id, Thread.contractor_id == contractor_id
    )
    existing = (await session.exec(query)).first()
    if existing is not None:
        return existing
    thread = Thread(
        id=new_id("th"),
        company_id=company_id,
        contractor_id=contractor_id,
        relay_token=new_relay_token(),
        created_at=at,
    )
    session.add(thread)
    try:
        await session.commit()
        return thread
    except IntegrityError:  # created concurrently
        await session.rollback()
    found = (await session.exec(query)).first()
    assert found is not None
    return found


async def append_message(
    session: AsyncSession,
    thread: Thread,
    *,
    body: str,
    at: datetime,
    sender_id: str | None = None,
    event_key: str | None = None,
) -> tuple[Message, bool]:
    """(the message, whether it is new). With an event key, the same event never adds a second
    message: the first one is answered instead. No sender: a system message."""
    if event_key is not None:
        existing = (
            await session.exec(select(Message).where(Message.event_key == event_key))
        ).first()
        if existing is not None:
            return existing, False
    message = Message(
        id=new_id("msg"),
        thread_id=thread.id,
        sender_id=sender_id,
        kind="user" if sender_id else "system",
        body=body,
        event_key=event_key,
        created_at=at,
    )
    session.add(message)
    try:
        await session.commit()
        return message, True
    except IntegrityError:
        await session.rollback()
        if event_key is None:
            raise
    found = (await session.exec(select(Message).where(Message.event_key == event_key))).first()
    assert found is not None
    return found, False


def is_party(user: User, thread: Thread) -> bool:
    """Client members of the company and the contractor; nobody else."""
    if user.role == Role.CONTRACTOR:
        return user.id == thread.contractor_id
    return user.role == Role.CLIENT and user.company_id == thread.company_id


async def recipients_of(session: AsyncSession, thread: Thread, sender: User) -> list[User]:
    """Who a message from `sender` is emailed to. From a client: the contractor. From the
    contractor: the client members who have written in the thread, or, while none has, every
    client member of the company."""
    if sender.role == Role.CLIENT:
        contractor = await session.get(User, thread.contractor_id)
        return [contractor] if contractor is not None else []
    members = list(
        await session.exec(
            select(User)
            .where(User.role == Role.CLIENT, User.company_id == thread.company_id)
            .order_by(col(User.id))
        )
    )
    written = set(
        await session.exec(
            select(Message.sender_id).where(Message.thread_id == thread.id).distinct()
        )
    )
    participants = [m for m in members if m.id in written]
    return participants or members
