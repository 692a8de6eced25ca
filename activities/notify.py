"""The notification service every workflow uses: in-app rows and email, once per event and
recipient, whatever retries happen, and nothing about something cancelled meanwhile.

All emails of one notification go over one SMTP connection. The activity heartbeats between the
steps of each send and starts a send only while one can end within its timeout; an attempt that
cannot send everything (the SMTP server down, too little time left) fails with EmailsLeft and is
retried by the activity's retry policy: the retry records nothing twice and emails only the rows
not yet emailed, never one that may have been (see notifications/delivery.py)."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from contracts import notify as interface
from contracts.notify import CancelNotifications, NotifyRequest
from core.db import Database
from core.settings import Settings
from domain.masking import mask_if
from notifications.delivery import Delivery, users_and_rows
from notifications.email import Mailer
from store.models import Cancellation, Company, JobPost, Notification, Thread, User, utcnow


def attempt_time_left() -> Callable[[], float] | None:
    """Seconds left before the running activity attempt's start-to-close timeout, on the
    worker's own clock (the server's may be skipped ahead in tests)."""
    timeout = activity.info().start_to_close_timeout
    if timeout is None:
        return None
    deadline = time.monotonic() + timeout.total_seconds()
    return lambda: deadline - time.monotonic()


# Context values that carry one side's own words to the other (an interview request's message,
# rejection feedback, a withdrawal reason, ...): before a hire their contact details are masked,
# as in thread messages.
FREE_TEXT_KEYS = ("message", "feedback", "reason", "instructions", "notes")


def heartbeat() -> None:
    """Tell the server this attempt is alive; a local activity (an invite at once) has no
    heartbeat to send: its workflow task is its lease."""
    if not activity.info().is_local:
        activity.heartbeat()


@dataclass
class Audience:
    """What a notification's delivery reads: the context every recipient's rendering shares,
    the recipients (in the request's order, once each) and the event's rows written for them
    before, by user id."""

    context: dict[str, Any]
    recipients: list[User]
    rows: dict[str, Notification]


_COMPANY_AND_HIRE = select(
    Company.name,
    select(Thread.hired)
    .where(
        col(Thread.company_id) == col(Company.id),
        col(Thread.contractor_id) == bindparam("contractor_id"),
    )
    .scalar_subquery(),
).where(col(Company.id) == bindparam("company_id"))


async def _company_and_hire(
    session: AsyncSession, company_id: str, contractor_id: str | None
) -> tuple[str | None, bool]:
    """The company's name (None: no such company), and whether it has hired the contractor
    (their thread is in the workforce panel)."""
    found = await session.exec(
        _COMPANY_AND_HIRE, params={"company_id": company_id, "contractor_id": contractor_id}
    )
    row = found.first()
    return (row[0], bool(row[1])) if row is not None else (None, False)


class NotifyActivities(interface.NotifyActivities):
    def __init__(self, db: Database, settings: Settings, mailer: Mailer | None = None) -> None:
        self.db = db
        self.settings = settings
        self.delivery = Delivery(db, settings, mailer)

    def activities(self) -> list[Any]:
        return [self.send_notification, self.cancel_notifications]

    @activity.defn
    async def send_notification(self, request: NotifyRequest) -> int:
        """Returns how many emails this attempt sent."""
        return await self.notify(request, attempt_time_left())

    async def notify(self, request: NotifyRequest, time_left: Callable[[], float] | None) -> int:
        """Record the request's rows and email them; a send starts only while one fits in
        `time_left` (None: the caller bounds the attempt). Returns how many emails were sent."""
        audience = await self.audience(request)
        if audience is None:
            return 0
        return await self.deliver(request, audience, time_left)

    async def audience(self, request: NotifyRequest) -> Audience | None:
        """Everything the request's delivery reads, in one session; None when what it is about
        was cancelled."""
        recipient_ids = list(dict.fromkeys(request.recipient_ids))
        async with self.db.session() as session:
            about = request.subject_id
            if about is not None and await session.get(Cancellation, about) is not None:
                self._not_sending(request)
                return None
            context, users, rows = await self._shared_context(session, request, recipient_ids)
        recipients = []
        for user_id in recipient_ids:
            user = users.get(user_id)
            if user is None:
                activity.logger.warning("no user %s to notify of %s", user_id, request.event_key)
            else:
                recipients.append(user)
        return Audience(context, recipients, rows)

    async def deliver(
        self,
        request: NotifyRequest,
        audience: Audience,
        time_left: Callable[[], float] | None,
        mailer: Mailer | None = None,
    ) -> int:
        """`notify` once its audience is read; `mailer` replaces the service's own."""
        rows = await self.delivery.record_all(
            audience.recipients,
            event_key=request.event_key,
            template=request.template,
            context=audience.context,
            link=request.link,
            at=request.at,
            written=audience.rows,
        )
        async with self.delivery.batch(
            progress=heartbeat, time_left=time_left, about=request.subject_id, mailer=mailer
        ) as batch:
            # Each claim checks again that the subject was not cancelled: the cancellation may
            # land during retries, or between two emails.
            await batch.email_all(list(zip(rows, audience.recipients, strict=True)))
            if batch.cancelled:
                self._not_sending(request)
        return batch.sent

    @activity.defn
    async def cancel_notifications(self, request: CancelNotifications) -> None:
        async with self.db.session() as session:
            session.add(
                Cancellation(
                    subject_id=request.subject_id, reason=request.reason, cancelled_at=utcnow()
                )
            )
            try:
                await session.commit()
            except IntegrityError:  # already cancelled
                await session.rollback()

    def _not_sending(self, request: NotifyRequest) -> None:
        activity.logger.info(
            "not sending %s: %s was cancelled", request.event_key, request.subject_id
        )

    async def _shared_context(
        self, session: AsyncSession, request: NotifyRequest, recipient_ids: list[str]
    ) -> tuple[dict[str, Any], dict[str, User], dict[str, Notification]]:
        """What every recipient's rendering gets: the workflow's context, enriched with the
        names behind its ids (a job post's title, the contractor's and company's names); and,
        read in the same query as the contractor, the recipients' users and the event's rows
        written for them, by user id."""
        context: dict[str, Any] = {
            "base_url": self.settings.public_base_url,
            "link": request.link,
            **request.context,
        }
        job_post_id = context.get("job_post_id")
        if job_post_id and not {"job_post_title", "company_id"} <= context.keys():
            job_post = await session.get(JobPost, job_post_id)
            context.setdefault("job_post_title", job_post.title if job_post else job_post_id)
            if job_post is not None:
                context.setdefault("company_id", job_post.company_id)
        contractor_id = context.get("contractor_id")
        named = contractor_id if contractor_id and "contractor_name" not in context else None
        users, rows = await users_and_rows(
            session, request.event_key, [*recipient_ids, *([named] if named else [])]
        )
        if named:
            contractor = users.get(named)
            context["contractor_name"] = contractor.name if contractor else "A contractor"
        company_id = context.get("company_id")
        hired = False
        if company_id:
            company_name, hired = await _company_and_hire(session, company_id, contractor_id)
            context.setdefault("company_name", company_name or "The client")
        for key in FREE_TEXT_KEYS:
            if isinstance(context.get(key), str):
                context[key] = mask_if(context[key], hidden=not hired)
        return context, users, rows
