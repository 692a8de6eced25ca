"""A slot is booked at most once and a contractor at most once per round, under any concurrency:
200 contractors race for 50 open slots of one job post round on a real Temporal dev server, each
firing two claims at once for different slots. Run on SQLite and on PostgreSQL."""

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlmodel import select

from contracts.hiring import InterviewStatus
from store.models import Slot
from tests.helpers import eventually
from tests.scheduling import (
    awaiting_slots,
    half_hourly_starts,
    slot_ids,
)
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow

CONTRACTORS = 200
SLOTS = 50


async def test_200_contractors_racing_for_50_slots_get_exactly_50_bookings(
    dev_stack: Stack,
) -> None:
    stack = dev_stack
    client = await stack.client_user()
    job = await stack.job_post(client)

    contenders = await awaiting_slots(stack, client, job, CONTRACTORS, 25)
    starts = await half_hourly_starts(stack, SLOTS)
    slots = await slot_ids(stack, client, job["id"], starts)

    async def claim(who: Actor, interview_id: str, slot_id: str) -> tuple[str, str, Any]:
        response = await stack.http.post(
            f"/interviews/{interview_id}/claim",
            json={"slot_id": slot_id},
            headers=who.auth,
            timeout=httpx.Timeout(120),
        )
        return interview_id, slot_id, response

    # Every slot is some contractor's first choice four times over; the second choice of each
    # contractor is another slot, claimed at the same moment.
    claims = [
        claim(who, interview_id, slots[(i + shift) % SLOTS])
        for i, (who, interview_id) in enumerate(contenders)
        for shift in (0, SLOTS // 2)
    ]
    answers = await asyncio.gather(*claims)

    statuses = Counter(response.status_code for _, _, response in answers)
    assert set(statuses) <= {200, 409}, statuses
    won = [(interview_id, slot_id) for interview_id, slot_id, r in answers if r.status_code == 200]
    assert len(won) == SLOTS
    assert len({slot_id for _, slot_id in won}) == SLOTS  # no slot twice
    assert len({interview_id for interview_id, _ in won}) == SLOTS  # no contractor twice
    for _, _, response in answers:
        if response.status_code == 409:
            assert response.json()["detail"].strip(), response.text

    # A 200 answers once the pool has decided; the rows and the interviews follow in batches.
    async def rows() -> list[Slot]:
        async with stack.db.session() as session:
            return list(await session.exec(select(Slot).where(Slot.job_post_id == job["id"])))

    written = await eventually(rows, lambda found: {r.status for r in found} == {"booked"}, 30)
    assert {(r.interview_id, r.id) for r in written} == set(won)

    async def interviews() -> list[tuple[InterviewStatus, str | None]]:
        states = [
            await stack.env.client.get_workflow_handle(i).query(InterviewWorkflow.status)
            for i, _ in won
        ]
        return [(s.status, s.booking.slot_id if s.booking else None) for s in states]

    expected = [(InterviewStatus.BOOKED, slot_id) for _, slot_id in won]
    await eventually(interviews, lambda states: states == expected, 30)
