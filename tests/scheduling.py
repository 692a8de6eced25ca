"""Driving interview scheduling through the API: candidacies with a requested round, slots,
claims, and reading what was sent (notifications, invites attached to emails)."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar
from sqlmodel import select

from contracts.hiring import InterviewStatus, SlotPoolState
from domain.ids import slot_pool_workflow_id
from store.models import Slot
from tests.helpers import eventually, gather_at_most, notifications_of, skip_to, ticking
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow
from workflows.slot_pool import SlotPoolWorkflow


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

    return await gather_at_most([one() for _ in range(count)], at_once)


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
    await record_completed(stack, client, interview_id)


async def record_completed(stack: Stack, client: Actor, interview_id: str) -> None:
    """Record a held interview as completed, once its workflow has seen its end (a second of
    workflow time between looks, so that the timers due fire)."""
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


PROPOSAL_LIMIT = 50  # slots per proposal (the route's limit)


@dataclass
class SlotRace:
    job_post_id: str
    contenders: list[tuple[Actor, str]]  # (contractor, interview id)
    slots: list[str]


async def slot_race(stack: Stack, contractors: int, slots: int, at_once: int) -> SlotRace:
    """A new client's job post whose round 1 has `contractors` waiting (set up `at_once` at a
    time) and `slots` open slots (`half_hourly_starts`), proposed PROPOSAL_LIMIT at a time."""
    client = await stack.client_user()
    job = await stack.job_post(client)
    contenders = await awaiting_slots(stack, client, job, contractors, at_once)
    starts = await half_hourly_starts(stack, slots)
    proposed: list[str] = []
    for i in range(0, slots, PROPOSAL_LIMIT):
        proposed += await slot_ids(stack, client, job["id"], starts[i : i + PROPOSAL_LIMIT])
    return SlotRace(job["id"], contenders, proposed)


async def pool_state(stack: Stack, job_post_id: str) -> SlotPoolState:
    """The state of the job post's round-1 slot pool."""
    handle = stack.env.client.get_workflow_handle(slot_pool_workflow_id(job_post_id, 1))
    state: SlotPoolState = await handle.query(SlotPoolWorkflow.status)
    return state


Claimed = tuple[str, str, httpx.Response]
"""(interview id, slot id, the claim's answer)."""


def race_winners(
    answers: list[Claimed], slots: int, diagnostics: object = None
) -> list[tuple[str, str]]:
    """(interview id, slot id) of the claims won in a race for `slots` slots: every slot won, none
    twice, no contractor twice, and every other claim refused with a reason (no 5xx, else the
    failure shows `diagnostics`)."""
    statuses = Counter(response.status_code for _, _, response in answers)
    assert set(statuses) <= {200, 409}, (statuses, diagnostics)
    won = [(interview_id, slot_id) for interview_id, slot_id, r in answers if r.status_code == 200]
    assert len(won) == slots
    assert len({slot_id for _, slot_id in won}) == slots  # no slot twice
    assert len({interview_id for interview_id, _ in won}) == slots  # no contractor twice
    for _, _, response in answers:
        if response.status_code == 409:
            assert response.json()["detail"].strip(), response.text
    return won


async def booked_as_won(stack: Stack, job_id: str, won: list[tuple[str, str]]) -> None:
    """Every slot of the job post ends up booked by its winner, in its row and in the winner's
    interview. A 200 answers once the pool has decided; the rows are written, and the interviews
    told, in batches after that, so under load the last batch may still be on its way (and a
    workflow task that timed out, 10 s, runs again)."""

    async def rows() -> list[Slot]:
        async with stack.db.session() as session:
            return list(await session.exec(select(Slot).where(Slot.job_post_id == job_id)))

    written = await eventually(rows, lambda found: {r.status for r in found} == {"booked"}, 60)
    assert {(r.interview_id, r.id) for r in written} == set(won)

    async def interviews() -> list[tuple[InterviewStatus, str | None]]:
        states = await gather_at_most(
            [
                stack.env.client.get_workflow_handle(i).query(InterviewWorkflow.status)
                for i, _ in won
            ],
            50,
        )
        return [(s.status, s.booking.slot_id if s.booking else None) for s in states]

    expected = [(InterviewStatus.BOOKED, slot_id) for _, slot_id in won]
    await eventually(interviews, lambda states: states == expected, 60)


async def decide(
    stack: Stack, who: Actor, candidacy_id: str, decision: str, feedback: str | None = None
) -> httpx.Response:
    """`who` decides on the candidacy's round: advance, reject or hold."""
    body = (
        {"decision": decision} if feedback is None else {"decision": decision, "feedback": feedback}
    )
    return await stack.http.post(
        f"/candidacies/{candidacy_id}/decision", json=body, headers=who.auth
    )


async def slot_days_ahead(
    stack: Stack, client: Actor, job_id: str, days: float, minutes: int = 30
) -> str:
    """The id of a new round-1 slot starting `days` from now (whole seconds)."""
    start = (await now_of(stack) + timedelta(days=days)).replace(microsecond=0)
    [slot_id] = await slot_ids(stack, client, job_id, [start], minutes)
    return slot_id


async def shortlisted_with_request(
    stack: Stack, client: Actor, contractor: Actor, job_id: str
) -> tuple[str, str]:
    """(candidacy id, interview id): the contractor applied to the job post, the client shortlisted
    the application and requested round 1."""
    applied = await stack.http.post(f"/job-posts/{job_id}/applications", headers=contractor.auth)
    assert applied.status_code == 201, applied.text
    candidacy_id = applied.json()["id"]
    shortlisted = await stack.http.post(
        f"/candidacies/{candidacy_id}/shortlist", headers=client.auth
    )
    assert shortlisted.status_code == 200, shortlisted.text
    requested = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests", json={}, headers=client.auth
    )
    assert requested.status_code == 200, requested.text
    return candidacy_id, requested.json()["interview_id"]


async def cancel_invite(stack: Stack, address: str, interview_id: str, count: int = 2) -> None:
    """The last of `count` emails with an invite to `address` cancels the interview's event (the
    same UID) as its SEQUENCE 1."""
    calendar = (await invites_eventually(stack, address, count))[-1][1]
    assert calendar["METHOD"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{interview_id}@{stack.settings.relay_domain}"
    assert int(event["SEQUENCE"]) == 1
