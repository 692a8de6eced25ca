"""The notification service every workflow uses: in-app rows and email, once per event and
recipient. The in-app row is the record of the event; email goes out for rows not yet emailed,
with a Message-ID derived from the row, so a retry after a crash resends the same message."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from activities.contracts import NotifyRequest
from domain.ids import new_id
from notifications.email import Mailer, build_message
from notifications.render import render
from store.db import Database
from store.models import Notification, User, utcnow
from workers.settings import Settings


class NotifyActivities:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer | None = None) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or Mailer(settings)

    def activities(self) -> list[Any]:
        return [self.send_notification]

    @activity.defn
    async def send_notification(self, request: NotifyRequest) -> int:
        """Returns how many emails this attempt sent."""
        sent = 0
        for user_id in dict.fromkeys(request.recipient_ids):
            row = await self._record(request, user_id)
            if row is not None and row.emailed_at is None:
                await self._email(row)
                sent += 1
        return sent

    async def _record(self, request: NotifyRequest, user_id: str) -> Notification | None:
        async with self.db.session() as session:
            existing = (
                await session.exec(
                    select(Notification).where(
                        Notification.user_id == user_id, Notification.event_key == request.event_key
                    )
                )
            ).first()
            if existing is not None:
                return existing
            user = await session.get(User, user_id)
            if user is None:
                return None
            context = await self._context(request, user)
            rendered = render(request.template, context, user.tz)
            row = Notification(
                id=new_id("nt"),
                user_id=user_id,
                event_key=request.event_key,
                kind=request.template,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                link=request.link,
                created_at=request.at or utcnow(),
            )
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:  # a concurrent attempt recorded it first
                await session.rollback()
                return None
            return row

    async def _context(self, request: NotifyRequest, user: User) -> dict[str, Any]:
        context: dict[str, Any] = {
            "recipient_name": user.name,
            "base_url": self.settings.public_base_url,
            "link": request.link,
            **request.context,
        }
        contractor_id = request.context.get("contractor_id")
        if contractor_id and "contractor_name" not in context:
            async with self.db.session() as session:
                contractor = await session.get(User, contractor_id)
            context["contractor_name"] = contractor.name if contractor else "A contractor"
        return context

    async def _email(self, row: Notification) -> None:
        async with self.db.session() as session:
            user = await session.get(User, row.user_id)
        assert user is not None
        message = build_message(
            sender=self.settings.mail_from,
            to=user.email,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            message_id=f"<{row.id}@{self.settings.relay_domain}>",
        )
        await self.mailer.send(message)
        async with self.db.session() as session:
            stored = await session.get(Notification, row.id)
            if stored is not None:
                stored.emailed_at = utcnow()
                session.add(stored)
                await session.commit()
