"""Driving interview scheduling through the API: candidacies with a requested round, slots,
claims, and reading what was sent (notifications, invites attached to emails)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from tests.helpers import eventually, in_batches, notifications_of, skip_to, ticking
from tests.stack import Actor, Stack


@dataclass
class Requested:
    contractor: Actor
    candidacy_id: str
    interview_id: str


async def now_of(stack: Stack) -> datetime:
    return (await stack.env.get_current_time()).astimezone(UTC)


async def next_weekday_at(stack: Stack, weekday: int, at: time, tz: str = "UTC") -> datetime:
    """The first `weekday` (0 = Monday) at local `at` in `tz` at least 3 days ahead, in UTC."""
    zone = ZoneInfo(tz)
    now = await now_of(stack)
    day = (now + timedelta(days=3)).astimezone(zone).date()
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, at, zone).astimezone(UTC)


async def invited(stack: Stack, client: Actor, job: dict[str, Any]) -> tuple[Actor, str]:
    contractor = await stack.contractor()
    response = await stack.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": contractor.id},
        headers=client.auth,
    )
    assert response.status_code == 201, response.text
    return contractor, str(response.json()["id"])


async def request_interview(
    stack: Stack,
    client: Actor,
    candidacy_id: str,
    message: str | None = None,
    panel: list[str] | None = None,
) -> str:
    body: dict[str, Any] = {"message": message}
    if panel is not None:
        body["panel"] = panel
    response = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests", json=body, headers=client.auth
    )
    assert response.status_code == 200, response.text
    return str(response.json()["interview_id"])


async def requested(stack: Stack, client: Actor, job: dict[str, Any]) -> Requested:
    """A contractor invited to the job post with round 1 requested."""
    contractor, candidacy_id = await invited(stack, client, job)
    return Requested(contractor, candidacy_id, await request_interview(stack, client, candidacy_id))


async def awaiting_slots(
    stack: Stack, client: Actor, job: dict[str, Any], count: int, at_once: int
) -> list[tuple[Actor, str]]:
    """`count` contractors invited to the job post, each with round 1 requested and waiting for
    a slot: (contractor, interview id), set up `at_once` at a time."""

    async def one() -> tuple[Actor, str]:
        waiting = await requested(stack, client, job)
        return waiting.contractor, waiting.interview_id

    return await in_batches([one() for _ in range(count)], at_once)


async def half_hourly_starts(stack: Stack, count: int) -> list[datetime]:
    """`count` slot starts half an hour apart, from 3 days ahead (whole seconds)."""
    first = (await now_of(stack) + timedelta(days=3)).replace(microsecond=0)
    return [first + timedelta(minutes=30 * i) for i in range(count)]


async def propose(
    stack: Stack,
    client: Actor,
    job_id: str,
    starts: list[datetime],
    minutes: int = 30,
    round_number: int = 1,
) -> httpx.Response:
    return await stack.http.post(
        f"/job-posts/{job_id}/rounds/{round_number}/slots",
        json={"slots": [{"start": s.isoformat(), "duration_minutes": minutes} for s in starts]},
        headers=client.auth,
    )


async def slot_ids(
    stack: Stack, client: Actor, job_id: str, starts: list[datetime], minutes: int = 30, n: int = 1
) -> list[str]:
    response = await propose(stack, client, job_id, starts, minutes, n)
    assert response.status_code == 201, response.text
    return [s["id"] for s in response.json()]


async def claim(stack: Stack, who: Actor, interview_id: str, slot_id: str) -> httpx.Response:
    return await stack.http.post(
        f"/interviews/{interview_id}/claim", json={"slot_id": slot_id}, headers=who.auth
    )


async def booked(stack: Stack, who: Actor, interview_id: str, slot_id: str) -> None:
    response = await claim(stack, who, interview_id, slot_id)
    assert response.status_code == 200, response.text


async def complete(stack: Stack, client: Actor, interview_id: str, end: datetime) -> None:
    """Let the interview take place and record it as completed 5 minutes after its end."""
    await skip_to(stack, end + timedelta(minutes=5))
    await ticking(
        stack,
        lambda: interview_state(stack, client, interview_id),
        lambda state: state["status"] == "awaiting_outcome",
    )
    outcome = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert outcome.status_code == 200, outcome.text


async def interview_state(stack: Stack, who: Actor, interview_id: str) -> dict[str, Any]:
    response = await stack.http.get(f"/interviews/{interview_id}", headers=who.auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def count_of(stack: Stack, user_id: str, kind: str) -> int:
    return len(await notifications_of(stack, user_id, kind))


async def settle(stack: Stack) -> None:
    """Let the worker finish what the last changes started (a second of workflow time)."""
    await stack.env.sleep(timedelta(seconds=1))


async def exactly(stack: Stack, user_id: str, kind: str, count: int) -> None:
    """The user has `count` notifications of a kind, and no more arrive."""
    await eventually(lambda: count_of(stack, user_id, kind), lambda n: n >= count)
    await settle(stack)
    assert await count_of(stack, user_id, kind) == count


def invites_to(stack: Stack, address: str) -> list[tuple[Message, Calendar]]:
    """Every email to `address` carrying an invite, with the parsed invite."""
    found = []
    for message in stack.mail.to(address):
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                found.append((message, Calendar.from_ical(payload)))
    return found


async def invites_eventually(
    stack: Stack, address: str, count: int
) -> list[tuple[Message, Calendar]]:
    async def probe() -> list[tuple[Message, Calendar]]:
        return invites_to(stack, address)

    found: list[tuple[Message, Calendar]] = await eventually(probe, lambda f: len(f) >= count)
    return found
