"""Threads for workflows, and the email relay of messages.

Workflows call:
- `mark_hired(MarkHired(company_id, contractor_id))` when an engagement starts: the thread moves to
  the workforce panel and its messages are no longer masked;
- `post_system_message(SystemMessage(company_id, contractor_id, body, event_key))` to put an
  event (an interview cancelled, an offer sent) into the pair's thread, once per event key.
Both create the thread when there is none yet.

`relay_message` emails a message to the other side from the thread's relay address (Reply-To the
same), with an in-app notification beside it, once per recipient, every recipient over one SMTP
connection (notifications/delivery.py, activities/notify.py)."""

from typing import Any

from temporalio import activity

from activities.notify import attempt_time_left
from contracts import messages as interface
from contracts.messages import MarkHired, RelayMessage, SystemMessage
from core.db import Database
from core.settings import Settings
from domain.masking import mask_if
from domain.roles import Role
from notifications.delivery import Delivery
from notifications.email import Mailer
from notifications.threads import append_message, recipients_of, relay_address, thread_between
from store.models import Company, Message, Thread, User, utcnow

MESSAGE_TEMPLATE = "thread_message"


def relay_event_key(message_id: str) -> str:
    return f"message-{message_id}"


class MessageActivities(interface.MessageActivities):
    def __init__(self, db: Database, settings: Settings, mailer: Mailer | None = None) -> None:
        self.db = db
        self.settings = settings
        self.delivery = Delivery(db, settings, mailer)

    def activities(self) -> list[Any]:
        return [self.mark_hired, self.post_system_message, self.relay_message]

    @activity.defn
    async def mark_hired(self, request: MarkHired) -> str:
        """The thread's id; idempotent."""
        async with self.db.session() as session:
            thread = await thread_between(
                session, request.company_id, request.contractor_id, at=utcnow()
            )
            if not thread.hired:
                thread.hired = True
                session.add(thread)
                await session.commit()
            return thread.id

    @activity.defn
    async def post_system_message(self, request: SystemMessage) -> str:
        """The message's id; the same event key answers the same message."""
        at = request.at or utcnow()
        async with self.db.session() as session:
            thread = await thread_between(session, request.company_id, request.contractor_id, at=at)
            message, _ = await append_message(
                session, thread, body=request.body, at=at, event_key=request.event_key
            )
            return message.id

    @activity.defn
    async def relay_message(self, request: RelayMessage) -> int:
        """Returns how many emails this attempt sent."""
        time_left = attempt_time_left()
        async with self.db.session() as session:
            message = await session.get(Message, request.message_id)
            if message is None or message.sender_id is None:
                return 0  # system messages travel with their event's own notification
            thread = await session.get(Thread, message.thread_id)
            sender = await session.get(User, message.sender_id)
            assert thread is not None and sender is not None
            company = await session.get(Company, thread.company_id)
            recipients = await recipients_of(session, thread, sender)
        hidden = not thread.hired
        sender_name = mask_if(sender.name, hidden)
        if sender.role == Role.CLIENT and company is not None:
            sender_name = f"{sender_name} ({mask_if(company.name, hidden)})"
        address = relay_address(thread, self.settings.relay_domain)
        event_key = relay_event_key(message.id)
        link = f"/threads/{thread.id}"
        rows = await self.delivery.record_all(
            recipients,
            event_key=event_key,
            template=MESSAGE_TEMPLATE,
            context={
                "base_url": self.settings.public_base_url,
                "link": link,
                "sender_name": sender_name,
                "body": mask_if(message.body, hidden),
            },
            link=link,
            at=message.created_at,
        )
        async with self.delivery.batch(progress=activity.heartbeat, time_left=time_left) as batch:
            await batch.email_all(
                list(zip(rows, recipients, strict=True)),
                sender=self.delivery.relay_sender(sender_name, address),
                reply_to=address,
                references=f"<{thread.id}@{self.settings.relay_domain}>",
            )
        return batch.sent
