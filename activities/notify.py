"""The notification service every workflow uses: in-app rows and email, once per event and
recipient, whatever retries happen, and nothing about something cancelled meanwhile.

All emails of one notification go over one SMTP connection. The activity heartbeats between the
steps of each send and starts a send only while one can end within its timeout; an attempt that
cannot send everything (the SMTP server down, too little time left) fails with EmailsLeft and is
retried by the activity's retry policy: the retry records nothing twice and emails only the rows
not yet emailed, never one that may have been (see notifications/delivery.py)."""

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from temporalio import activity

from contracts import notify as interface
from contracts.notify import CancelNotifications, NotifyRequest
from core.db import Database
from core.settings import Settings
from domain.masking import mask_if
from notifications.delivery import Delivery
from notifications.email import Mailer
from notifications.threads import is_hired
from store.models import Cancellation, Company, JobPost, User, utcnow


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


async def is_cancelled(db: Database, subject_id: str) -> bool:
    async with db.session() as session:
        return await session.get(Cancellation, subject_id) is not None


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
        if await self._cancelled(request):
            return 0
        shared = await self._shared_context(request)
        async with self.delivery.batch(progress=heartbeat, time_left=time_left) as batch:
            for user_id in dict.fromkeys(request.recipient_ids):
                async with self.db.session() as session:
                    user = await session.get(User, user_id)
                if user is None:
                    activity.logger.warning(
                        "no user %s to notify of %s", user_id, request.event_key
                    )
                    continue
                row = await self.delivery.record(
                    user=user,
                    event_key=request.event_key,
                    template=request.template,
                    context=shared,
                    link=request.link,
                    at=request.at,
                )
                if row.emailed_at is not None:
                    continue
                # Checked again before every email: the cancellation may land during retries.
                if await self._cancelled(request):
                    return batch.sent
                await batch.email(row, user)
                heartbeat()
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

    async def _cancelled(self, request: NotifyRequest) -> bool:
        about = request.subject_id
        if about is not None and await is_cancelled(self.db, about):
            activity.logger.info("not sending %s: %s was cancelled", request.event_key, about)
            return True
        return False

    async def _shared_context(self, request: NotifyRequest) -> dict[str, Any]:
        """What every recipient's rendering gets: the workflow's context, enriched with the
        names behind its ids (a job post's title, the contractor's and company's names)."""
        context: dict[str, Any] = {
            "base_url": self.settings.public_base_url,
            "link": request.link,
            **request.context,
        }
        async with self.db.session() as session:
            job_post_id = context.get("job_post_id")
            if job_post_id and not {"job_post_title", "company_id"} <= context.keys():
                job_post = await session.get(JobPost, job_post_id)
                context.setdefault("job_post_title", job_post.title if job_post else job_post_id)
                if job_post is not None:
                    context.setdefault("company_id", job_post.company_id)
            contractor_id = context.get("contractor_id")
            if contractor_id and "contractor_name" not in context:
                contractor = await session.get(User, contractor_id)
                context["contractor_name"] = contractor.name if contractor else "A contractor"
            company_id = context.get("company_id")
            if company_id and "company_name" not in context:
                company = await session.get(Company, company_id)
                context["company_name"] = company.name if company else "The client"
            hired = bool(
                company_id and contractor_id and await is_hired(session, company_id, contractor_id)
            )
        for key in FREE_TEXT_KEYS:
            if isinstance(context.get(key), str):
                context[key] = mask_if(context[key], hidden=not hired)
        return context
