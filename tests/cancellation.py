"""Driving cancellations and reschedules through the API, and reading what they left: slots in
the store, thread messages, join tokens in invites."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from icalendar import Calendar
from sqlmodel import select

from contracts.hiring import InterviewStatus
from store.models import Slot
from tests.helpers import eventually
from tests.scheduling import Requested, booked, now_of, requested, slot_ids
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow


@dataclass
class Booked:
    client: Actor
    job: dict[str, Any]
    who: Requested
    slot_id: str
    start: datetime

    @property
    def contractor(self) -> Actor:
        return self.who.contractor

    @property
    def interview_id(self) -> str:
        return self.who.interview_id


async def booked_interview(
    stack: Stack, ahead: timedelta, client: Actor | None = None, job: dict[str, Any] | None = None
) -> Booked:
    """A contractor's round 1 interview booked in a slot `ahead` from now."""
    client = client or await stack.client_user()
    job = job or await stack.job_post(client)
    start = (await now_of(stack) + ahead).replace(microsecond=0)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    who = await requested(stack, client, job)
    await booked(stack, who.contractor, who.interview_id, slot_id)
    # The interview takes the booking in (and sends the invite) a moment after the 200.
    await eventually(
        lambda: stack.env.client.get_workflow_handle(who.interview_id).query(
            InterviewWorkflow.status
        ),
        lambda state: state.status == InterviewStatus.BOOKED,
    )
    return Booked(client, job, who, slot_id, start)


async def cancel(
    stack: Stack,
    who: Actor,
    interview_id: str,
    reason: str | None = "Something came up",
    **extra: Any,
) -> httpx.Response:
    body: dict[str, Any] = {**extra}
    if reason is not None:
        body["reason"] = reason
    return await stack.http.post(f"/interviews/{interview_id}/cancel", json=body, headers=who.auth)


async def reschedule(
    stack: Stack, who: Actor, interview_id: str, slot_id: str, reason: str | None = None
) -> httpx.Response:
    return await stack.http.post(
        f"/interviews/{interview_id}/reschedule",
        json={"slot_id": slot_id, "reason": reason},
        headers=who.auth,
    )


async def slot_row(stack: Stack, slot_id: str) -> Slot:
    async with stack.db.session() as session:
        slot = await session.get(Slot, slot_id)
    assert slot is not None
    return slot


async def booked_slots(stack: Stack, job_id: str) -> list[Slot]:
    async with stack.db.session() as session:
        rows = await session.exec(
            select(Slot).where(Slot.job_post_id == job_id, Slot.status == "booked")
        )
        return list(rows)


async def last_thread_message(stack: Stack, who: Actor) -> dict[str, Any] | None:
    """The newest message of the caller's (only) marketplace thread."""
    threads = await stack.http.get("/threads", params={"panel": "marketplace"}, headers=who.auth)
    assert threads.status_code == 200, threads.text
    items = threads.json()["items"]
    return items[0]["last_message"] if items else None


def join_token_of(calendar: Calendar) -> str:
    """The token of the join link an invite carries (its LOCATION)."""
    event = calendar.walk("VEVENT")[0]
    return parse_qs(urlparse(str(event["LOCATION"])).query)["token"][0]
