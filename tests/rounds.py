"""Driving a candidacy through the API to a round awaiting the client's decision: invite, slot,
interview request (with its panel), claim, the interview's end, the outcome."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.helpers import wait_for_stage
from tests.scheduling import booked, complete, invited, request_interview, slot_ids
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


async def request_round_one(
    stack: Stack, client: Actor, start: datetime, panel: list[str] | None = None
) -> DecisionDue:
    """Invite a contractor, offer one slot at `start`, request round 1 with the panel, and let
    the contractor claim it. The interview is booked, not yet held."""
    job = await stack.job_post(client)
    contractor, candidacy_id = await invited(stack, client, job)
    [slot_id] = await slot_ids(stack, client, job["id"], [start], SCREENING_MINUTES)
    interview_id = await request_interview(
        stack, client, candidacy_id, "Looking forward to it", panel
    )
    await booked(stack, contractor, interview_id, slot_id)
    end = start + timedelta(minutes=SCREENING_MINUTES)
    return DecisionDue(client, contractor, job, candidacy_id, interview_id, start, end)


async def complete_round_one(stack: Stack, due: DecisionDue) -> DecisionDue:
    """Let the interview take place and record it as completed 5 minutes after its end."""
    await complete(stack, due.client, due.interview_id, due.end)
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
