"""The two channels of a notification: the in-app row and its email, each at most once.

The in-app row is the record of the event, unique per (user, event key): a retried attempt finds
the row an earlier attempt wrote instead of writing another. Its email carries a Message-ID
derived from the row and goes out at most once, whatever the retries: an attempt claims the row
before sending, marks it just before the message data goes out, and marks it emailed once the
SMTP server accepted it (EmailBatch). A row whose data went out without an answer may have been
delivered: it is never sent again."""

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any, Literal, TypeVar

from sqlalchemy import Update, and_, bindparam, exists, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.settings import Settings
from domain.ids import new_id
from notifications.email import MailBatch, Mailer, MaybeSent, NotSent, build_message, send_budget
from notifications.render import render
from store.models import Cancellation, Notification, User, utcnow

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Why a row could not be claimed: its subject was cancelled, another attempt is sending it, or it
# was emailed (or may have been).
Unclaimed = Literal["cancelled", "sending", "done"]

# A claim is taken over once it is this many send budgets old: its attempt died (a live one
# ends every send within one budget). Taking over is safe at any age: the old attempt can no
# longer mark the data going out, so it never sends.
CLAIM_LIFETIME_IN_BUDGETS = 2

# The writes of a send, built once (each send runs three of them): a claim, and the updates of a
# row while a claim (its token) holds it.
_CLAIM = (
    update(Notification)
    .where(col(Notification.id) == bindparam("row_id"))
    .where(col(Notification.emailed_at).is_(None))
    .where(col(Notification.email_data_at).is_(None))
    .where(
        or_(
            col(Notification.email_attempt).is_(None),
            col(Notification.email_attempted_at) < bindparam("abandoned_before"),
        )
    )
    .values(email_attempt=bindparam("token"), email_attempted_at=bindparam("now"))
)
_CLAIM_UNLESS_CANCELLED = _CLAIM.where(
    ~exists().where(col(Cancellation.subject_id) == bindparam("subject_id"))
)


def _held(**values: Any) -> Update:
    return (
        update(Notification)
        .where(col(Notification.id) == bindparam("row_id"))
        .where(col(Notification.email_attempt) == bindparam("token"))
        .values(**values)
    )


_RELEASE = _held(email_attempt=None, email_data_at=None)
_DATA_GOING_OUT = _held(email_data_at=bindparam("now"))
_EMAILED = _held(emailed_at=bindparam("now"), email_attempt=None)


async def _settle_in(
    connection: AsyncConnection, settling: Update, row_id: str, token: str
) -> bool:
    result = await connection.execute(settling, {"row_id": row_id, "token": token, "now": utcnow()})
    return bool(result.rowcount == 1)


async def _insert_rows(rows: list[Notification], connection: AsyncConnection) -> None:
    await connection.execute(insert(Notification), [row.model_dump() for row in rows])


def one_line(value: str) -> str:
    """A value safe to put in a header: no line breaks, no runs of spaces."""
    return " ".join(value.split())


_USERS_AND_ROWS = (
    select(User, Notification)
    .outerjoin(
        Notification,
        and_(
            col(Notification.user_id) == col(User.id),
            col(Notification.event_key) == bindparam("event_key"),
        ),
    )
    .where(col(User.id).in_(bindparam("user_ids", expanding=True)))
)


async def users_and_rows(
    session: AsyncSession, event_key: str, user_ids: Sequence[str]
) -> tuple[dict[str, User], dict[str, Notification]]:
    """The users found among `user_ids`, and the event's rows written for them, by user id."""
    users: dict[str, User] = {}
    rows: dict[str, Notification] = {}
    if not user_ids:
        return users, rows
    found = await session.exec(
        _USERS_AND_ROWS, params={"event_key": event_key, "user_ids": list(user_ids)}
    )
    for user, row in found:
        users[user.id] = user
        if row is not None:
            rows[user.id] = row
    return users, rows


class Delivery:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer | None = None) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or Mailer(settings)

    @property
    def brand(self) -> str:
        return parseaddr(self.settings.mail_from)[0] or "Hiring"

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
        """The user's row for the event (see `record_all`)."""
        [row] = await self.record_all(
            [user], event_key=event_key, template=template, context=context, link=link, at=at
        )
        return row

    async def record_all(
        self,
        users: Sequence[User],
        *,
        event_key: str,
        template: str,
        context: dict[str, Any],
        link: str | None,
        at: datetime | None = None,
        written: dict[str, Notification] | None = None,
    ) -> list[Notification]:
        """Each user's row for the event, in the order of `users`: the one written before, or
        rendered in the user's time zone and written now, every new row in one transaction.
        `written`: the rows the caller read already (`users_and_rows`)."""
        if written is None:
            written = await self._rows_of(event_key, [user.id for user in users])
        rows = dict(written)
        while missing := [user for user in users if user.id not in rows]:
            new = [self._rendered(user, event_key, template, context, link, at) for user in missing]
            try:
                await self._write(functools.partial(_insert_rows, new))
            except IntegrityError:  # a concurrent attempt wrote some of them first
                found = await self._rows_of(event_key, [user.id for user in missing])
                if not found:
                    ids = ", ".join(user.id for user in missing)
                    raise RuntimeError(f"notification {event_key} for {ids} vanished") from None
                rows.update(found)
                continue
            rows.update((row.user_id, row) for row in new)
        return [rows[user.id] for user in users]

    async def _rows_of(self, event_key: str, user_ids: list[str]) -> dict[str, Notification]:
        async with self.db.session() as session:
            _, rows = await users_and_rows(session, event_key, user_ids)
        return rows

    def _rendered(
        self,
        user: User,
        event_key: str,
        template: str,
        context: dict[str, Any],
        link: str | None,
        at: datetime | None,
    ) -> Notification:
        rendered = render(template, {**context, "recipient_name": user.name}, user.tz)
        return Notification(
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

    async def _write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Runs `work` in one transaction, to its end even when the caller is cancelled
        meanwhile (then passes the cancellation on): a transaction cut in the middle of a
        statement leaves its connection, closed in the background, holding SQLite's write lock,
        and every other writer waits for it."""

        async def transaction() -> T:
            async with self.db.engine.begin() as connection:
                return await work(connection)

        return await run_to_the_end(transaction())

    def batch(
        self,
        *,
        progress: Callable[[], None] = lambda: None,
        time_left: Callable[[], float] | None = None,
        about: str | None = None,
        mailer: Mailer | None = None,
    ) -> AbstractAsyncContextManager["EmailBatch"]:
        """Emails sent over one connection (see EmailBatch). `progress` is called between the
        steps of each send; `time_left` answers the seconds left to the caller; `about`: what
        the emails are about (a CancelNotifications subject): once it is cancelled, nothing
        more is sent. `mailer` replaces the delivery's own for this batch."""
        return _open_batch(self, mailer or self.mailer, progress, time_left, about)

    def message_id(self, row: Notification) -> str:
        return f"<{row.id}@{self.settings.relay_domain}>"

    async def claim(self, row_id: str, *, unless_cancelled: str | None = None) -> str | None:
        """Takes the row for a send: the claim's token, or None when the row is emailed, may
        have been, another attempt is sending it now, or `unless_cancelled` names something
        cancelled. A claim older than any send can take was left by an attempt that died: it
        is taken over."""
        return await self._write(lambda c: self._claim(c, row_id, unless_cancelled))

    async def _claim(
        self, connection: AsyncConnection, row_id: str, unless_cancelled: str | None
    ) -> str | None:
        token = new_id("ea")
        now = utcnow()
        lifetime = timedelta(seconds=CLAIM_LIFETIME_IN_BUDGETS * send_budget(self.settings))
        claim = {"row_id": row_id, "token": token, "now": now, "abandoned_before": now - lifetime}
        if unless_cancelled is None:
            result = await connection.execute(_CLAIM, claim)
        else:
            result = await connection.execute(
                _CLAIM_UNLESS_CANCELLED, {**claim, "subject_id": unless_cancelled}
            )
        return token if result.rowcount == 1 else None

    async def why_unclaimed(self, row_id: str, about: str | None) -> Unclaimed:
        """Why `claim` found nothing to take (with `about` as its `unless_cancelled`)."""
        async with self.db.session() as session:
            if about is not None and await session.get(Cancellation, about) is not None:
                return "cancelled"
            row = await session.get(Notification, row_id)
        if row is not None and row.emailed_at is None and row.email_data_at is None:
            return "sending"
        return "done"

    async def _settle(self, settling: Update, row_id: str, token: str) -> bool:
        """Runs `settling` (a `_held` update) on the row while the claim `token` holds it."""
        return await self._write(lambda c: _settle_in(c, settling, row_id, token))

    async def release(self, row_id: str, token: str) -> None:
        """The message was certainly not delivered (the send failed before its data went out,
        or the server refused the data): a later attempt may send it."""
        await self._settle(_RELEASE, row_id, token)

    async def data_going_out(self, row_id: str, token: str) -> bool:
        """Marks the point of no return, just before the message data goes out; False when the
        claim was lost meanwhile (then the data must not go out)."""
        return await self._settle(_DATA_GOING_OUT, row_id, token)

    async def emailed(
        self, row_id: str, token: str, *, then_claim: str | None = None, about: str | None = None
    ) -> str | None:
        """Marks the row emailed; with `then_claim`, claims that row in the same transaction
        (`claim`, with `about` as its `unless_cancelled`) and answers that claim's token."""

        async def mark_and_claim(connection: AsyncConnection) -> str | None:
            await _settle_in(connection, _EMAILED, row_id, token)
            if then_claim is None:
                return None
            return await self._claim(connection, then_claim, about)

        return await self._write(mark_and_claim)

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
    With `about`, each claim also checks that it was not cancelled: once it is (`cancelled`),
    the batch sends nothing more and leaves nothing for later.
    Leaving the batch raises EmailsLeft when rows were left."""

    def __init__(
        self,
        delivery: Delivery,
        mail: MailBatch,
        time_left: Callable[[], float] | None,
        about: str | None = None,
    ) -> None:
        self.delivery = delivery
        self.mail = mail
        self.time_left = time_left
        self.about = about
        self.sent = 0
        self.started = False
        self.cancelled = False
        self.left: list[str] = []
        self.stopped: str | None = None  # why the batch sends nothing more
        # The next row's id and its claim's token (None: not taken), claimed with the last
        # row's emailed mark.
        self.ahead: tuple[str, str | None] | None = None

    def _leave(self, row_id: str) -> None:
        self.left.append(row_id)

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
    ) -> bool:
        """Email the row unless it was emailed (or may have been) already, or what it is about
        was cancelled; True when this call sent it."""
        sent = self.sent
        await self.email_all([(row, user)], sender=sender, reply_to=reply_to, references=references)
        return self.sent > sent

    async def email_all(
        self,
        recipients: Sequence[tuple[Notification, User]],
        *,
        sender: str | None = None,
        reply_to: str | None = None,
        references: str | None = None,
    ) -> None:
        """`email` each (row, user) in turn, `progress` between two, until what they are about
        is cancelled. Each row's claim is taken with the previous row's emailed mark, in one
        transaction."""
        pending = [(row, user) for row, user in recipients if row.emailed_at is None]
        for index, (row, user) in enumerate(pending):
            following = pending[index + 1][0].id if index + 1 < len(pending) else None
            await self._email(row, user, following, sender, reply_to, references)
            if self.cancelled:
                return
            if following is not None:
                self.mail.progress()

    async def _email(
        self,
        row: Notification,
        user: User,
        following: str | None,
        sender: str | None,
        reply_to: str | None,
        references: str | None,
    ) -> None:
        token, claimed = self._taken_ahead(row.id)
        if self.stopped is None and self._too_late():
            self.stopped = "too little time left in this attempt"
        if self.stopped is not None:
            if token is not None:
                await run_to_the_end(self.delivery.release(row.id, token))
            self._leave(row.id)
            return
        if not claimed:
            token = await self.delivery.claim(row.id, unless_cancelled=self.about)
        if token is None:
            why = await self.delivery.why_unclaimed(row.id, self.about)
            self.cancelled = why == "cancelled"
            if why == "sending":
                self._leave(row.id)  # another attempt is sending it now
            return
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
        )
        sent = await run_to_the_end(self._send(row.id, token, message, user.email, following))
        self.sent += int(sent)

    async def _send(
        self,
        row_id: str,
        token: str,
        message: EmailMessage,
        recipient: str,
        following: str | None,
    ) -> bool:
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
        claimed = await self.delivery.emailed(row_id, token, then_claim=following, about=self.about)
        if following is not None:
            self.ahead = (following, claimed)
        return True

    def _not_sent(self, row_id: str, failure: NotSent) -> Literal[False]:
        logger.info("notification %s not emailed: %s", row_id, failure)
        if not failure.refused:
            self.stopped = str(failure)
        self._leave(row_id)
        return False

    def _taken_ahead(self, row_id: str) -> tuple[str | None, bool]:
        """The claim taken ahead for the row: (its token, whether one was tried)."""
        ahead, self.ahead = self.ahead, None
        if ahead is None or ahead[0] != row_id:
            return None, False
        return ahead[1], True

    async def release_ahead(self) -> None:
        """Releases the claim taken ahead for a row this batch will not send now."""
        if self.ahead is not None:
            row_id, token = self.ahead
            self.ahead = None
            if token is not None:
                await run_to_the_end(self.delivery.release(row_id, token))


@asynccontextmanager
async def _open_batch(
    delivery: Delivery,
    mailer: Mailer,
    progress: Callable[[], None],
    time_left: Callable[[], float] | None,
    about: str | None,
) -> AsyncIterator[EmailBatch]:
    async with mailer.batch(progress) as mail:
        batch = EmailBatch(delivery, mail, time_left, about)
        try:
            yield batch
        finally:  # the attempt ended (or was cancelled) after a row was claimed ahead
            await batch.release_ahead()
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
