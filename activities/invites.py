"""Calendar invites for booked interviews, sent to both sides as notifications: the notification
service with a mailer that attaches to each email the invite (notifications/ics.py) made for its
recipient."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.notify import NotifyActivities, attempt_time_left
from contracts import notify as interface
from contracts.notify import INVITE_AT_ONCE_GIVES_UP, InviteRequest, NotifyRequest
from core.db import Database
from core.settings import Settings
from notifications.delivery import EmailsLeft
from notifications.email import Mailer
from notifications.ics import (
    attaching_invite,
    build_invite,
    invite_description,
    invite_summary,
    join_link,
)

# A healthy mail server greets within milliseconds: the invite's attempt inside a workflow task
# (which holds that workflow's updates while it runs) waits no longer than this for one.
AT_ONCE_OPENING_SECONDS = 0.5
# Attempts at once sending together in this worker: a burst's winners take their turns (and give
# up past INVITE_AT_ONCE_GIVES_UP) instead of crowding the database's connections all at once.
AT_ONCE_TOGETHER = 8
LEFT_FOR_LATER = "LeftForLater"


class InviteActivities(interface.InviteActivities):
    def __init__(
        self,
        db: Database,
        settings: Settings,
        mailer: Mailer | None = None,
        at_once_gives_up: timedelta = INVITE_AT_ONCE_GIVES_UP,
    ) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or Mailer(settings)
        self.notifier = NotifyActivities(db, settings, self.mailer)
        self.at_once = asyncio.Semaphore(AT_ONCE_TOGETHER)
        self.at_once_gives_up = at_once_gives_up.total_seconds()

    def activities(self) -> list[Any]:
        return [self.send_invite, self.send_invite_at_once]

    @activity.defn
    async def send_invite(self, request: InviteRequest) -> int:
        """Notify both sides, each email carrying the invite; returns emails sent."""
        return await self._send(request, self.mailer, attempt_time_left())

    @activity.defn
    async def send_invite_at_once(self, request: InviteRequest) -> int:
        """One quick attempt of `send_invite` (a local activity), within INVITE_AT_ONCE_GIVES_UP:
        a mail server that has not greeted within AT_ONCE_OPENING_SECONDS, or no turn in time,
        leaves the emails to `send_invite`. Giving up is expected (a burst, a mail server down):
        it is a benign failure, not logged as an error."""
        opening = min(AT_ONCE_OPENING_SECONDS, self.settings.smtp_timeout_seconds)
        try:
            async with asyncio.timeout(self.at_once_gives_up), self.at_once:
                # No send budget: a greeting server takes each email in milliseconds, and a send
                # cut off by the timeout still records how it ended (sends are shielded).
                return await self._send(
                    request, self.mailer.opening_within(opening), time_left=None
                )
        except (TimeoutError, EmailsLeft) as left:
            raise ApplicationError(
                f"left for the regular send: {str(left) or 'no time left'}",
                type=LEFT_FOR_LATER,
                non_retryable=True,
                category=ApplicationErrorCategory.BENIGN,
            ) from None

    async def _send(
        self, request: InviteRequest, mailer: Mailer, time_left: Callable[[], float] | None
    ) -> int:
        join_url = join_link(
            self.settings.public_base_url,
            self.settings.video_room_secret,
            request.interview_id,
            request.sequence,
        )
        notification = NotifyRequest(
            event_key=request.event_key,
            template=request.template,
            recipient_ids=request.recipient_ids,
            context={
                "job_post_id": request.job_post_id,
                **request.context,
                "start": request.start,
                "end": request.end,
                "join_url": join_url,
            },
            link=request.link,
            at=request.stamp,
        )
        audience = await self.notifier.audience(notification)
        if audience is None:
            return 0
        # The job post's title as the notification names it (read with everything else).
        summary = invite_summary(
            audience.context.get("job_post_title"), request.round, request.kind
        )

        def make(recipient: str) -> bytes:
            return build_invite(
                interview_id=request.interview_id,
                relay_domain=self.settings.relay_domain,
                method=request.method,
                sequence=request.sequence,
                start=request.start,
                end=request.end,
                stamp=request.stamp,
                summary=summary,
                description=invite_description(
                    self.settings.public_base_url, request.interview_id, join_url
                ),
                location=join_url,
                attendee_email=recipient,
            )

        return await self.notifier.deliver(
            notification,
            audience,
            time_left,
            mailer=mailer.preparing(attaching_invite(request.method, make)),
        )
