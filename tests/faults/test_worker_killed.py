"""The worker is SIGKILLed in the middle of a burst of slot claims, then started again. Every claim
that answered 200 is booked (its slot row and its interview say so, once the round's pool has
handed its batch to the live worker), no slot and no contractor is booked twice, and the claims
the outage left without a final answer (a dropped connection, a 5xx), retried as a caller
would, end as 200 or 409 like the others."""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import select

from contracts.hiring import InterviewStatus
from contracts.slot_pool import SlotClaim
from store.models import Slot
from tests.faults.conftest import FaultOutcomes
from tests.helpers import eventually
from tests.process_stack import WORKER, ProcessStack
from tests.scheduling import (
    awaiting_slots,
    claim,
    half_hourly_starts,
    now_of,
    requested,
    slot_ids,
)
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import pool_start, update_slot_pool

CONTRACTORS = 20
SLOTS = 20
SHIFTS = (0, 7, 14)  # each contractor claims three slots at once: 60 claims
DOWN_SECONDS = 1.0
READ_SECONDS = 5.0
RETRY_SECONDS = 60.0
CONSISTENT_SECONDS = 90.0
FINAL = {200, 409}


@dataclass
class Claim:
    who: Actor
    interview_id: str
    slot_id: str
    status: int | None = None  # None: no answer (connection dropped, timed out)
    retried: int = 0

    async def send(self, http: httpx.AsyncClient) -> "Claim":
        try:
            response = await http.post(
                f"/interviews/{self.interview_id}/claim",
                json={"slot_id": self.slot_id},
                headers=self.who.auth,
            )
        except httpx.HTTPError:
            self.status = None
        else:
            self.status = response.status_code
        return self


async def _read_while_down(http: httpx.AsyncClient, who: Actor) -> str:
    """A plain read of the database (the caller's notifications) while the claims in flight
    wait on the dead worker: its status, or that it did not answer in time."""
    try:
        response = await http.get("/notifications", headers=who.auth, timeout=READ_SECONDS)
    except httpx.TimeoutException:
        return f"no answer in {READ_SECONDS:.0f} s"
    return str(response.status_code)


async def _retry_until_final(http: httpx.AsyncClient, claim: Claim) -> None:
    """What a caller does with a 5xx or no answer: try the same claim again, a little later."""
    give_up_at = time.monotonic() + RETRY_SECONDS
    while claim.status not in FINAL and time.monotonic() < give_up_at:
        claim.retried += 1
        await asyncio.sleep(1)
        await claim.send(http)


async def _story(stack: Stack, claims: list[Claim], interview_id: str) -> str:
    """An interview whose slot row is booked without a 200: its claims and its state."""
    state = await stack.env.client.get_workflow_handle(interview_id).query(InterviewWorkflow.status)
    mine = [(c.slot_id, c.status, c.retried) for c in claims if c.interview_id == interview_id]
    held = state.booking.slot_id if state.booking else None
    return f"{interview_id}: claims (slot, answer, retries) {mine}; {state.status}, holds {held}"


async def test_a_worker_killed_mid_claim_burst_loses_no_booking_and_books_nothing_twice(
    processes: ProcessStack, product: Stack, fault_outcomes: FaultOutcomes
) -> None:
    stack = product
    client = await stack.client_user()
    job = await stack.job_post(client)

    contenders = await awaiting_slots(stack, client, job, CONTRACTORS, 10)
    slots = await slot_ids(stack, client, job["id"], await half_hourly_starts(stack, SLOTS))

    claims = [
        Claim(who, interview_id, slots[(i + shift) % SLOTS])
        for i, (who, interview_id) in enumerate(contenders)
        for shift in SHIFTS
    ]
    pending = [asyncio.ensure_future(c.send(stack.http)) for c in claims]
    await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    processes.kill(WORKER)
    answered_before_kill = sum(1 for task in pending if task.done())
    assert answered_before_kill < len(claims), "the burst was over before the worker was killed"
    down = time.monotonic()
    read = await _read_while_down(stack.http, client)
    await asyncio.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down)))
    processes.start_worker()
    restarted_at = time.monotonic()
    await asyncio.gather(*pending)
    first_answers = Counter(c.status for c in claims)
    await asyncio.gather(*(_retry_until_final(stack.http, c) for c in claims))
    settled_in = time.monotonic() - restarted_at

    final = Counter(c.status for c in claims)
    won = [c for c in claims if c.status == 200]
    winners = {c.interview_id: c.slot_id for c in won}

    async def outcome() -> tuple[
        list[Slot], set[tuple[str | None, str]], dict[str, Any], list[Claim]
    ]:
        """The rows, the booked pairs, the interviews' states and the 200s both confirm. A 200
        waited at most 5 s for its interview: with a worker down, rows and interviews follow
        once the round's pool hands its batch to the worker that is up."""
        async with stack.db.session() as session:
            rows = list(await session.exec(select(Slot).where(Slot.job_post_id == job["id"])))
        booked_rows = {(r.interview_id, r.id) for r in rows if r.status == "booked"}
        states = {
            interview_id: await stack.env.client.get_workflow_handle(interview_id).query(
                InterviewWorkflow.status
            )
            for _, interview_id in contenders
        }
        consistent = [
            c
            for c in won
            if (c.interview_id, c.slot_id) in booked_rows
            and states[c.interview_id].status == InterviewStatus.BOOKED
            and (booking := states[c.interview_id].booking) is not None
            and booking.slot_id == c.slot_id
        ]
        return rows, booked_rows, states, consistent

    rows, booked_rows, states, consistent = await eventually(
        outcome, lambda seen: seen[3] == won, CONSISTENT_SECONDS
    )
    orphans = booked_rows - {(c.interview_id, c.slot_id) for c in won}

    unanswered = sum(n for status, n in first_answers.items() if status not in FINAL)
    fault_outcomes.add(
        "worker SIGKILLed in a claim burst",
        f"{len(claims)} claims on {SLOTS} slots ({CONTRACTORS} contractors x {len(SHIFTS)}); "
        f"killed with {len(claims) - answered_before_kill} in flight, restarted after "
        f"{DOWN_SECONDS:.0f} s; {unanswered} unanswered claims retried; a read while down",
        f"{len(consistent)}/{len(won)} 200s booked (slot row + interview); {len(orphans)} rows "
        f"booked without a 200; 200 x {final[200]}, 409 x {final[409]}; settled in "
        f"{settled_in:.0f} s; the read: {read}",
    )

    assert read == "200", f"a read from the database while claims waited on the dead worker: {read}"
    assert set(final) <= FINAL, f"claims without a final answer: {final}"
    assert won, "no claim was booked"
    assert len({c.slot_id for c in won}) == len(won), "a slot answered 200 twice"
    assert len(winners) == len(won), "a contractor answered 200 twice"
    assert not orphans, [await _story(stack, claims, interview_id) for interview_id, _ in orphans]
    assert consistent == won, "a 200 whose slot row or interview does not say booked"
    assert {r.status for r in rows if r.id not in set(winners.values())} <= {"open"}
    for _, interview_id in contenders:
        if interview_id not in winners:
            assert states[interview_id].status == InterviewStatus.AWAITING_SLOT, interview_id
            assert states[interview_id].booking is None


async def test_a_claim_whose_answer_was_lost_is_still_the_interviews_one_booking(
    stack: Stack,
) -> None:
    """What the burst above can leave behind, made deterministic: the round's pool booked a slot
    for a claim, then the answer was lost (the caller never heard). The booking is decided: the
    interview is told it and holds it, the slot row says so, the same claim again answers the
    same booking and a claim of another slot answers 409; no slot stays booked for nobody."""
    client = await stack.client_user()
    job = await stack.job_post(client)
    contender = await requested(stack, client, job)
    first = (await now_of(stack) + timedelta(days=3)).replace(microsecond=0)
    lost, other = await slot_ids(stack, client, job["id"], [first, first + timedelta(hours=1)])
    await update_slot_pool(  # the claim whose answer was lost
        stack.env.client,
        stack.settings.temporal_task_queue,
        pool_start(job["id"], 1, client.id, job["company_id"]),
        SlotPoolWorkflow.claim,
        SlotClaim(
            interview_id=contender.interview_id,
            slot_id=lost,
            contractor_id=contender.contractor.id,
        ),
    )

    again = await claim(stack, contender.contractor, contender.interview_id, lost)
    assert again.status_code == 200, again.text
    assert again.json()["slot_id"] == lost
    refused = await claim(stack, contender.contractor, contender.interview_id, other)
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == "this interview is already booked"

    async def held() -> list[str]:
        async with stack.db.session() as session:
            rows = await session.exec(
                select(Slot).where(
                    Slot.interview_id == contender.interview_id, Slot.status == "booked"
                )
            )
            return [r.id for r in rows]

    await eventually(held, lambda ids: ids == [lost])
    state = await stack.env.client.get_workflow_handle(contender.interview_id).query(
        InterviewWorkflow.status
    )
    assert state.status == InterviewStatus.BOOKED
    assert state.booking is not None and state.booking.slot_id == lost
