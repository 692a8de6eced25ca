"""The in-app inbox: every notification the caller was sent, the unread count, mark read."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import col, select

from api.deps import Caller, Now, Session
from api.errors import not_found
from api.lists import page_of, total_of
from api.schemas import Page, Paging
from store.models import Notification

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: str
    kind: str  # the template it was rendered from, e.g. "interview_booked"
    subject: str
    body_text: str
    body_html: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page[NotificationOut]):
    unread_count: int


@router.get("/notifications", response_model=NotificationPage)
async def list_notifications(
    user: Caller,
    session: Session,
    paging: Paging,
    unread_only: bool = False,
) -> NotificationPage:
    """The caller's notifications, newest first, with how many are unread in all.
    `unread_only=true` lists only the unread ones."""
    mine = select(Notification).where(Notification.user_id == user.id)
    unread = mine.where(col(Notification.read_at).is_(None))
    listed = unread if unread_only else mine
    total = await total_of(session, listed)
    unread_count = await total_of(session, unread)
    rows = await session.exec(
        page_of(
            listed.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()),
            paging,
        )
    )
    items = [NotificationOut.model_validate(r, from_attributes=True) for r in rows]
    return NotificationPage(
        items=items,
        total=total,
        page=paging.page,
        per_page=paging.per_page,
        unread_count=unread_count,
    )


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
async def mark_read(
    notification_id: str, user: Caller, session: Session, now: Now
) -> NotificationOut:
    """Mark one of the caller's notifications read (again: no change). Someone else's: 404."""
    await session.exec(
        update(Notification)
        .where(col(Notification.id) == notification_id)
        .where(col(Notification.user_id) == user.id)
        .where(col(Notification.read_at).is_(None))
        .values(read_at=now)
    )
    await session.commit()
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise not_found("notification")
    await session.refresh(row)
    return NotificationOut.model_validate(row, from_attributes=True)
