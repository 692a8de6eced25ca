"""The two channels of a notification: the in-app row and its email, each at most once.

The in-app row is the record of the event, unique per (user, event key): a retried attempt finds
the row an earlier attempt wrote instead of writing another. Its email carries a Message-ID
derived from the row and goes out at most once, whatever the retries: an attempt claims the row
before sending, marks it just before the message data goes out, and marks it emailed once the
SMTP server accepted it (EmailBatch). A row whose data went out without an answer may have been
delivered: it is never sent again."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any, Literal, TypeVar

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from domain.ids import new_id
from notifications.email import MailBatch, Mailer, MaybeSent, NotSent, build_message, send_budget
from notifications.render import render
from store.models import Notification, User, utcnow

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A claim is taken over once it is this many send budgets old: its attempt died (a live one
# ends every send within one budget). Taking over is safe at any age: the old attempt can no
# longer mark the data going out, so it never sends.
CLAIM_LIFETIME_IN_BUDGETS = 2


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

    def batch(
        self,
        *,
        progress: Callable[[], None] = lambda: None,
        time_left: Callable[[], float] | None = None,
    ) -> AbstractAsyncContextManager["EmailBatch"]:
        """Emails sent over one connection (see EmailBatch). `progress` is called between the
        steps of each send; `time_left` answers the seconds left to the caller."""
        return _open_batch(self, progress, time_left)

    def message_id(self, row: Notification) -> str:
        return f"<{row.id}@{self.settings.relay_domain}>"

    async def claim(self, row_id: str) -> str | None:
        """Takes the row for a send: the claim's token, or None when the row is emailed, may
        have been, or another attempt is sending it now. A claim older than any send can take
        was left by an attempt that died: it is taken over."""
        token = new_id("ea")
        now = utcnow()
        abandoned_before = now - timedelta(
            seconds=CLAIM_LIFETIME_IN_BUDGETS * send_budget(self.settings)
        )
        async with self.db.session() as session:
            result = await session.exec(
                update(Notification)
                .where(col(Notification.id) == row_id)
                .where(col(Notification.emailed_at).is_(None))
                .where(col(Notification.email_data_at).is_(None))
                .where(
                    or_(
                        col(Notification.email_attempt).is_(None),
                        col(Notification.email_attempted_at) < abandoned_before,
                    )
                )
                .values(email_attempt=token, email_attempted_at=now)
            )
            await session.commit()
        return token if result.rowcount == 1 else None

    async def _settle(self, row_id: str, token: str, **values: Any) -> bool:
        """Writes `values` on the row while the claim `token` holds it."""
        async with self.db.session() as session:
            result = await session.exec(
                update(Notification)
                .where(col(Notification.id) == row_id)
                .where(col(Notification.email_attempt) == token)
                .values(**values)
            )
            await session.commit()
        return bool(result.rowcount == 1)

    async def release(self, row_id: str, token: str) -> None:
        """The message was certainly not delivered (the send failed before its data went out,
        or the server refused the data): a later attempt may send it."""
        await self._settle(row_id, token, email_attempt=None, email_data_at=None)

    async def data_going_out(self, row_id: str, token: str) -> bool:
        """Marks the point of no return, just before the message data goes out; False when the
        claim was lost meanwhile (then the data must not go out)."""
        return await self._settle(row_id, token, email_data_at=utcnow())

    async def emailed(self, row_id: str, token: str) -> None:
        await self._settle(row_id, token, emailed_at=utcnow(), email_attempt=None)

    def relay_sender(self, display_name: str, relay_address: str) -> str:
        """`"Grace Hopper via Hiring" <thread-…@relay…>`: names the person, never their address."""
        return formataddr((one_line(f"{display_name} via {self.brand}"), relay_address))


class EmailsLeft(Exception):
    """Some emails could not be sent now: a later attempt sends them."""


class EmailBatch:
    """Emails of one attempt, over one connection. Each send claims its row first and records
    how it ended before anything else happens, even when the attempt is cancelled meanwhile:
    - sent: the row is marked emailed;
    - certainly not sent: the claim is released and the row left for a later attempt; when the
      server could not be reached, the batch sends nothing more;
    - the data went out and no answer came: the row stays marked as such and is never sent
      again (a warning names it), and the batch sends nothing more.
    A send starts only when it can end within the time left; once one cannot, the rest are left.
    Leaving the batch raises EmailsLeft when rows were left."""

    def __init__(
        self, delivery: Delivery, mail: MailBatch, time_left: Callable[[], float] | None
    ) -> None:
        self.delivery = delivery
        self.mail = mail
        self.time_left = time_left
        self.sent = 0
        self.started = False
        self.left: list[str] = []
        self.stopped: str | None = None  # why the batch sends nothing more

    def _leave(self, row_id: str) -> Literal[False]:
        self.left.append(row_id)
        return False

    def _too_late(self) -> bool:
        # The first send always starts: the settings make one fit in an attempt.
        if self.time_left is None or not self.started:
            return False
        return self.time_left() < send_budget(self.delivery.settings)

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
        """Email the row unless it was emailed (or may have been) already; True when this call
        sent it."""
        if self.stopped is None and self._too_late():
            self.stopped = "too little time left in this attempt"
        if self.stopped is not None:
            return self._leave(row.id)
        token = await self.delivery.claim(row.id)
        if token is None:
            async with self.delivery.db.session() as session:
                fresh = await session.get(Notification, row.id)
            if fresh is not None and fresh.emailed_at is None and fresh.email_data_at is None:
                return self._leave(row.id)  # another attempt is sending it now
            return False
        self.started = True
        message = build_message(
            sender=sender or self.delivery.settings.mail_from,
            to=formataddr((one_line(user.name), user.email)),
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            message_id=self.delivery.message_id(row),
            reply_to=reply_to,
            references=references,
            attachments=attachments,
        )
        sent = await run_to_the_end(self._send(row.id, token, message, user.email))
        self.sent += int(sent)
        return sent

    async def _send(self, row_id: str, token: str, message: EmailMessage, recipient: str) -> bool:
        try:
            await self.mail.begin(message, recipient)
        except NotSent as failure:
            await self.delivery.release(row_id, token)
            return self._not_sent(row_id, failure)
        if not await self.delivery.data_going_out(row_id, token):
            self.mail.abandon()  # the row was taken over: its new attempt settles it
            return False
        try:
            await self.mail.transmit(message)
        except NotSent as failure:
            await self.delivery.release(row_id, token)
            return self._not_sent(row_id, failure)
        except MaybeSent as failure:
            logger.warning(
                "notification %s (Message-ID %s) may have been emailed: %s; it is not sent again",
                row_id,
                message["Message-ID"],
                failure,
            )
            self.stopped = str(failure)
            return False
        await self.delivery.emailed(row_id, token)
        return True

    def _not_sent(self, row_id: str, failure: NotSent) -> Literal[False]:
        logger.info("notification %s not emailed: %s", row_id, failure)
        if not failure.refused:
            self.stopped = str(failure)
        return self._leave(row_id)


@asynccontextmanager
async def _open_batch(
    delivery: Delivery, progress: Callable[[], None], time_left: Callable[[], float] | None
) -> AsyncIterator[EmailBatch]:
    async with delivery.mailer.batch(progress) as mail:
        batch = EmailBatch(delivery, mail, time_left)
        yield batch
    if batch.left:
        reason = f": {batch.stopped}" if batch.stopped else ""
        raise EmailsLeft(f"{len(batch.left)} email(s) left for a later attempt{reason}")


async def run_to_the_end(work: Coroutine[Any, Any, T]) -> T:
    """Awaits `work` to its end even when the caller is cancelled meanwhile (then passes the
    cancellation on): a send's outcome is recorded before its attempt gives up."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.done():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result
