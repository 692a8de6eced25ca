"""Driving a candidacy through the API to a round awaiting the client's decision: invite, slot,
interview request (with its panel), claim, the interview's end, the outcome."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from store.accounts import create_user
from tests.helpers import wait_for_stage
from tests.stack import Actor, Stack

FRIDAY = 4
SCREENING_MINUTES = 30  # round 1 of the default plan


@dataclass
class DecisionDue:
    client: Actor
    contractor: Actor
    job: dict[str, Any]
    candidacy_id: str
    interview_id: str
    start: datetime
    end: datetime


async def skip_to(stack: Stack, moment: datetime) -> None:
    now = await stack.env.get_current_time()
    if moment > now:
        await stack.env.sleep(moment - now)


async def next_weekday_at(
    stack: Stack, tz: str, weekday: int, at: time, ahead: timedelta = timedelta(hours=3)
) -> datetime:
    """The first `weekday` at local time `at` in `tz` at least `ahead` from now, in UTC."""
    zone = ZoneInfo(tz)
    now = await stack.env.get_current_time()
    day = now.astimezone(zone).date()
    while True:
        moment = datetime.combine(day, at, zone).astimezone(UTC)
        if moment.weekday() == weekday and moment >= now + ahead:
            return moment
        day += timedelta(days=1)


async def colleague(stack: Stack, of: Actor) -> Actor:
    """Another client user of the same company."""
    suffix = uuid.uuid4().hex[:8]
    async with stack.db.session() as session:
        user, token = await create_user(
            session,
            role="client",
            name=f"Colleague {suffix}",
            email=f"colleague-{suffix}@example.com",
            company_id=of.company_id,
        )
    return Actor(user.id, token, user.email, of.company_id)


async def request_round_one(
    stack: Stack, client: Actor, start: datetime, panel: list[str] | None = None
) -> DecisionDue:
    """Invite a contractor, offer one slot at `start`, request round 1 with the panel, and let
    the contractor claim it. The interview is booked, not yet held."""
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    invited = await stack.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": contractor.id},
        headers=client.auth,
    )
    assert invited.status_code == 201, invited.text
    candidacy_id = invited.json()["id"]
    slots = await stack.http.post(
        f"/job-posts/{job['id']}/rounds/1/slots",
        json={"slots": [{"start": start.isoformat(), "duration_minutes": SCREENING_MINUTES}]},
        headers=client.auth,
    )
    assert slots.status_code == 201, slots.text
    body: dict[str, Any] = {"message": "Looking forward to it"}
    if panel is not None:
        body["panel"] = panel
    requested = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests", json=body, headers=client.auth
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]
    claimed = await stack.http.post(
        f"/interviews/{interview_id}/claim",
        json={"slot_id": slots.json()[0]["id"]},
        headers=contractor.auth,
    )
    assert claimed.status_code == 200, claimed.text
    end = start + timedelta(minutes=SCREENING_MINUTES)
    return DecisionDue(client, contractor, job, candidacy_id, interview_id, start, end)


async def complete_round_one(stack: Stack, due: DecisionDue) -> DecisionDue:
    """Let the interview take place and record it as completed 5 minutes after its end."""
    await skip_to(stack, due.end + timedelta(minutes=5))
    outcome = await stack.http.post(
        f"/interviews/{due.interview_id}/outcome",
        json={"outcome": "completed"},
        headers=due.client.auth,
    )
    assert outcome.status_code == 200, outcome.text
    state = await wait_for_stage(stack, due.candidacy_id, due.client, "decision_pending")
    assert state["round"] == 1
    return due


async def decision_due(
    stack: Stack,
    client_tz: str,
    start: datetime,
    panel: list[str] | None = None,
    client: Actor | None = None,
) -> DecisionDue:
    """A candidacy whose round 1 interview (from `start`) is over and awaits the decision."""
    client = client or await stack.client_user(billing_tz=client_tz)
    due = await request_round_one(stack, client, start, panel)
    return await complete_round_one(stack, due)
