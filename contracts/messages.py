"""Threads between a company and a contractor: marking the pair hired, system messages, and the
email relay of a message."""

from abc import ABC, abstractmethod
from datetime import datetime

from pydantic import BaseModel, Field
from temporalio import activity


class MarkHired(BaseModel):
    company_id: str
    contractor_id: str


class SystemMessage(BaseModel):
    company_id: str
    contractor_id: str
    body: str = Field(max_length=10_000)
    event_key: str  # one message per event, whatever the retries
    at: datetime | None = None  # when it happened (workflow time)


class RelayMessage(BaseModel):
    message_id: str


class MessageActivities(ABC):
    """Threads for workflows (activities/messages.py)."""

    @activity.defn
    @abstractmethod
    async def mark_hired(self, request: MarkHired) -> str:
        """The thread's id; idempotent."""

    @activity.defn
    @abstractmethod
    async def post_system_message(self, request: SystemMessage) -> str:
        """The message's id; the same event key answers the same message."""

    @activity.defn
    @abstractmethod
    async def relay_message(self, request: RelayMessage) -> int:
        """Returns how many emails this attempt sent."""
