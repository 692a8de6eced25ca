"""Reschedules racing claims on a real Temporal dev server: 40 booked contractors each move their
booking to one of 20 spare slots while 40 waiting contractors claim the same spare slots, all at
once. No slot is booked twice, no contractor holds two slots, and a refused reschedule leaves the
contractor's booking where it was (never none). Run on SQLite and on PostgreSQL."""

import asyncio
from collections import Counter

import httpx
from sqlmodel import select

from contracts.hiring import InterviewStatus
from store.models import Slot
from tests.helpers import gather_at_most
from tests.scheduling import (
    awaiting_slots,
    booked,
    half_hourly_starts,
    slot_ids,
)
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow

BOOKED = 40
WAITING = 40
SPARE = 20


async def test_reschedules_and_claims_racing_never_double_book_nor_drop_a_booking(
    dev_stack: Stack,
) -> None:
    stack = dev_stack
    client = await stack.client_user()
    job = await stack.job_post(client)

    people = await awaiting_slots(stack, client, job, BOOKED + WAITING, 20)
    movers, claimers = people[:BOOKED], people[BOOKED:]
    starts = await half_hourly_starts(stack, BOOKED + SPARE)
    held = await slot_ids(stack, client, job["id"], starts[:BOOKED])
    spare = await slot_ids(stack, client, job["id"], starts[BOOKED:])
    await gather_at_most(
        [booked(stack, who, interview_id, held[i]) for i, (who, interview_id) in enumerate(movers)],
        20,
    )

    async def post(who: Actor, path: str, slot_id: str) -> tuple[str, httpx.Response]:
        response = await stack.http.post(
            path, json={"slot_id": slot_id}, headers=who.auth, timeout=httpx.Timeout(120)
        )
        return slot_id, response

    moves = [
        post(who, f"/interviews/{interview_id}/reschedule", spare[i % SPARE])
        for i, (who, interview_id) in enumerate(movers)
    ]
    claims = [
        post(who, f"/interviews/{interview_id}/claim", spare[(i + SPARE // 2) % SPARE])
        for i, (who, interview_id) in enumerate(claimers)
    ]
    # Interleaved, so that each spare slot has movers and claimers among its first contenders.
    answers = await asyncio.gather(*(c for pair in zip(moves, claims, strict=True) for c in pair))
    moved, claimed = answers[0::2], answers[1::2]

    statuses = Counter(response.status_code for _, response in answers)
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[200] == SPARE  # every spare slot went to exactly one of its contenders
    assert sum(r.status_code == 409 for _, r in moved) >= BOOKED - SPARE
    async with stack.db.session() as session:
        rows = list(await session.exec(select(Slot).where(Slot.job_post_id == job["id"])))
    booked_by = Counter(r.interview_id for r in rows if r.status == "booked")
    assert all(count == 1 for count in booked_by.values()), booked_by  # nobody holds two
    slot_of = {r.interview_id: r.id for r in rows if r.status == "booked"}
    for i, ((_, interview_id), (target, response)) in enumerate(zip(movers, moved, strict=True)):
        # A mover always holds exactly one slot: the new one, or the old one when refused.
        expected = target if response.status_code == 200 else held[i]
        assert slot_of.get(interview_id) == expected, (interview_id, response.text)
        if response.status_code == 409:
            assert response.json()["detail"].strip()
    for (_, interview_id), (target, response) in zip(claimers, claimed, strict=True):
        assert slot_of.get(interview_id) == (target if response.status_code == 200 else None)
    released = [held[i] for i, (_, r) in enumerate(moved) if r.status_code == 200]
    assert all(next(r for r in rows if r.id == s).status == "open" for s in released)
    for _, interview_id in people:
        state = await stack.env.client.get_workflow_handle(interview_id).query(
            InterviewWorkflow.status
        )
        if interview_id in slot_of:
            assert state.status == InterviewStatus.BOOKED
            assert state.booking is not None and state.booking.slot_id == slot_of[interview_id]
        else:
            assert state.status == InterviewStatus.AWAITING_SLOT and state.booking is None
