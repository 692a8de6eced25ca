"""Inputs and outputs of activities, shared by workflows (which call them) and implementations."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class NotifyRequest(BaseModel):
    """One event told to some users, in-app and by email, once per (event_key, recipient)."""

    event_key: str  # unique per event, e.g. "candidacy-jp_x-u_y:rejected"
    template: str  # a name under notifications/templates
    recipient_ids: list[str]
    context: dict[str, Any] = Field(default_factory=dict)
    link: str | None = None  # a path in the API the notification is about
    # When set, nothing is sent if the thing it is about was cancelled meanwhile.
    about_interview_id: str | None = None
    # When the event happened (workflow time); the notification is dated by it.
    at: datetime | None = None


class NotifyRecipients(BaseModel):
    """Who to tell, by role, for an event about one company and one contractor."""

    company_id: str


class CandidacyProjection(BaseModel):
    candidacy_id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    source: str
    stage: str
    round: int
    rounds_total: int
    version: int
    at: datetime


class BookSlotRequest(BaseModel):
    slot_id: str
    interview_id: str
    job_post_id: str
    round: int
    now: datetime
    # The slot the interview keeps while it books this one (a reschedule's current booking).
    keep_slot_id: str | None = None


class ReleaseSlotRequest(BaseModel):
    slot_id: str
    interview_id: str
    reopen: bool = True
    waiting: bool = False  # the interview waits for a slot again (a cancelled booking)


class OpsUsers(BaseModel):
    user_ids: list[str]


# --- interview scheduling -------------------------------------------------------------------


class SlotPoolNotice(BaseModel):
    """A signal for a job post round's SlotPoolWorkflow, which is started if it is not running."""

    job_post_id: str
    round: int
    owner_id: str
    company_id: str
    signal: str  # one of activities.slot_pool.SIGNALS
    payload: dict[str, Any] = Field(default_factory=dict)


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
