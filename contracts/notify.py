"""Telling people: notifications (in-app and email, once per event and recipient), their
cancellation, and calendar invites sent as notifications."""

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from temporalio import activity

# Invite methods (RFC 5546): a new or moved booking, or its cancellation.
REQUEST = "REQUEST"
CANCEL = "CANCEL"


class NotifyRequest(BaseModel):
    """One event told to some users, in-app and by email, once per (event_key, recipient)."""

    model_config = ConfigDict(populate_by_name=True)

    event_key: str  # unique per event, e.g. "candidacy-jp_x-u_y:rejected"
    template: str  # a name under notifications/templates
    recipient_ids: list[str]
    context: dict[str, Any] = Field(default_factory=dict)
    link: str | None = None  # a path in the API the notification is about
    # When set, nothing is sent if the thing it is about (CancelNotifications.subject_id) was
    # cancelled meanwhile. Requests recorded before the rename carry it as about_interview_id.
    subject_id: str | None = Field(
        default=None, validation_alias=AliasChoices("subject_id", "about_interview_id")
    )
    # When the event happened (workflow time); the notification is dated by it.
    at: datetime | None = None


class Notice(BaseModel):
    """An event to tell some users, before the workflow sends it (workflows/common.py's
    `tell`): a NotifyRequest without its moment."""

    recipient_ids: list[str]
    template: str
    event_key: str
    context: dict[str, Any] = Field(default_factory=dict)
    link: str | None = None


class CancelNotifications(BaseModel):
    """Marks something cancelled (an interview id, ...): notifications about it
    (NotifyRequest.subject_id) that are not sent yet never will be."""

    subject_id: str
    reason: str = Field(default="", max_length=300)


class InviteRequest(BaseModel):
    """A calendar invite (or its cancellation) sent to both sides as a notification."""

    interview_id: str
    job_post_id: str
    round: int
    kind: str
    method: str  # REQUEST | CANCEL
    sequence: int
    start: datetime
    end: datetime
    stamp: datetime  # when the change happened (DTSTAMP)
    recipient_ids: list[str]
    template: str
    event_key: str
    context: dict[str, Any] = Field(default_factory=dict)
    link: str | None = None


class NotifyActivities(ABC):
    """The notification service (activities/notify.py)."""

    @activity.defn
    @abstractmethod
    async def send_notification(self, request: NotifyRequest) -> int:
        """Returns how many emails this attempt sent."""

    @activity.defn
    @abstractmethod
    async def cancel_notifications(self, request: CancelNotifications) -> None: ...


# An invite's attempt at once runs inside its workflow's task (a local activity), holding that
# workflow's updates and signals while it runs: at most as long as the task can wait without the
# SDK heartbeating it (80% of the default 10 s task timeout would add a workflow task).
INVITE_AT_ONCE_TIMEOUT = timedelta(seconds=7.5)
# The attempt, its turn in the worker included, gives up a second earlier, time left to record
# how its last email ended. The need it covers: a 1,000-claim burst's 200 winners' invites all
# take their turns in one worker within about 3.5 s here. An attempt given up costs its invite 6
# more events (an activity and a workflow task), and that regular send competes with the
# attempts still waiting: a budget cut close to the need collapses (3 s: 100 of 200 given up).
INVITE_AT_ONCE_GIVES_UP = INVITE_AT_ONCE_TIMEOUT - timedelta(seconds=1)


class InviteActivities(ABC):
    """Calendar invites (activities/invites.py)."""

    @activity.defn
    @abstractmethod
    async def send_invite(self, request: InviteRequest) -> int:
        """Notify both sides, each email carrying the invite; returns emails sent."""

    @activity.defn
    @abstractmethod
    async def send_invite_at_once(self, request: InviteRequest) -> int:
        """`send_invite` in one quick attempt, run as a local activity in the workflow task that
        queued the invite: it gives up on a mail server that does not greet it at once, and
        fails when any email is left, for `send_invite` to send later."""
