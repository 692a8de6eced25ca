"""The two channels of a notification: the in-app row and its email, each at most once.

The in-app row is the record of the event, unique per (user, event key): a retried attempt finds
the row an earlier attempt wrote instead of writing another. Email goes out only for a row not
yet emailed, with a Message-ID derived from the row (a resend after a crash between sending and
marking is recognisable as the same message), and the row is marked emailed right after the
SMTP server accepted it."""

from collections.abc import Sequence
from datetime import datetime
from email.utils import formataddr, parseaddr
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.ids import new_id
from notifications.email import Mailer, build_message
from notifications.render import render
from store.db import Database
from store.models import Notification, User, utcnow
from workers.settings import Settings


def one_line(value: str) -> str:
    """A value safe to put in a header: no line breaks, no runs of spaces."""
    return " ".join(value.split())


class Delivery:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer | None = None) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or Mailer(settings)

    @property
    def brand(self) -> str:
        return parseaddr(self.settings.mail_from)[0] or "Hiring"

    async def existing(self, user_id: str, event_key: str) -> Notification | None:
        async with self.db.session() as session:
            found: Notification | None = (
                await session.exec(
                    select(Notification).where(
                        Notification.user_id == user_id, Notification.event_key == event_key
                    )
                )
            ).first()
            return found

    async def record(
        self,
        *,
        user: User,
        event_key: str,
        template: str,
        context: dict[str, Any],
        link: str | None,
        at: datetime | None = None,
    ) -> Notification:
        """The user's row for the event: the one written before, or rendered in the user's time
        zone and written now."""
        found = await self.existing(user.id, event_key)
        if found is not None:
            return found
        rendered = render(template, {**context, "recipient_name": user.name}, user.tz)
        row = Notification(
            id=new_id("nt"),
            user_id=user.id,
            event_key=event_key,
            kind=template,
            subject=rendered.subject[:300],
            body_text=rendered.text,
            body_html=rendered.html,
            link=link,
            created_at=at or utcnow(),
        )
        async with self.db.session() as session:
            session.add(row)
            try:
                await session.commit()
                return row
            except IntegrityError:  # a concurrent attempt wrote it first
                await session.rollback()
        found = await self.existing(user.id, event_key)
        if found is None:
            raise RuntimeError(f"notification {event_key} for {user.id} vanished")
        return found

    async def email(
        self,
        row: Notification,
        user: User,
        *,
        sender: str | None = None,
        reply_to: str | None = None,
        references: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> bool:
        """Email the row unless it was emailed already; True when this call sent it."""
        async with self.db.session() as session:
            fresh = await session.get(Notification, row.id)
        if fresh is None or fresh.emailed_at is not None:
            return False
        message = build_message(
            sender=sender or self.settings.mail_from,
            to=formataddr((one_line(user.name), user.email)),
            subject=fresh.subject,
            text=fresh.body_text,
            html=fresh.body_html,
            message_id=f"<{fresh.id}@{self.settings.relay_domain}>",
            reply_to=reply_to,
            references=references,
            attachments=attachments,
        )
        await self.mailer.send(message)
        async with self.db.session() as session:
            await session.exec(
                update(Notification)
                .where(col(Notification.id) == fresh.id)
                .where(col(Notification.emailed_at).is_(None))
                .values(emailed_at=utcnow())
            )
            await session.commit()
        return True

    def relay_sender(self, display_name: str, relay_address: str) -> str:
        """`"Grace Hopper via Hiring" <thread-…@relay…>`: names the person, never their address."""
        return formataddr((one_line(f"{display_name} via {self.brand}"), relay_address))
