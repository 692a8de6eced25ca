"""1,000 claims at once on the 200 slots of one job post round, through the HTTP API on a real
Temporal dev server, on SQLite and on PostgreSQL: 250 waiting contractors fire 4 claims each for
different slots. The round's slot pool decides them all in memory, and the API lets them through
a few at a time (POOL_UPDATES_IN_FLIGHT), so none fails for want of capacity.

Every 200 has its slot row and its interview says booked; no slot and no contractor is booked
twice; no 5xx; every refusal is a 409 with its reason, wrote nothing to the pool's history, and
was not logged as a warning with a traceback. (200 contractors racing for 50 slots, two claims
each: tests/e2e/test_slot_contention.py.)"""

import asyncio
import logging
import time
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType

from domain.ids import slot_pool_workflow_id
from tests.helpers import eventually
from tests.scheduling import PROPOSAL_LIMIT, booked_as_won, pool_state, race_winners, slot_race
from tests.stack import Actor, Stack

CONTRACTORS = 250
SLOTS = 200
SHIFTS = (0, 50, 100, 150)  # four claims each, for four different slots: 1,000 claims


async def _accepted_updates(stack: Stack, job_id: str) -> int:
    """Updates the pool accepted over all its runs (continue-as-new included)."""
    count = 0
    run_id: str | None = None
    while True:
        handle = stack.env.client.get_workflow_handle(
            slot_pool_workflow_id(job_id, 1), run_id=run_id
        )
        events = list((await handle.fetch_history()).events)
        accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        count += sum(1 for e in events if e.event_type == accepted)
        started = events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return count


async def test_1000_claims_on_200_slots_book_each_slot_once_without_a_5xx(
    dev_stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    stack = dev_stack
    race = await slot_race(stack, CONTRACTORS, SLOTS, 25)
    job_id, contenders, slots = race.job_post_id, race.contenders, race.slots
    # Every contractor has told the pool it waits (a claim from one it has not heard of yet
    # is decided too, by asking the interview: slower, and it writes history).
    await eventually(
        lambda: pool_state(stack, job_id),
        lambda state: len(state.waiting) == CONTRACTORS,
        seconds=60,
    )

    took: list[float] = []

    async def claim(who: Actor, interview_id: str, slot_id: str) -> tuple[str, str, Any]:
        sent = time.monotonic()
        response = await stack.http.post(
            f"/interviews/{interview_id}/claim",
            json={"slot_id": slot_id},
            headers=who.auth,
            timeout=httpx.Timeout(180),
        )
        took.append(time.monotonic() - sent)
        return interview_id, slot_id, response

    caplog.clear()
    began = time.monotonic()
    with caplog.at_level(logging.WARNING):
        answers = await asyncio.gather(
            *(
                claim(who, interview_id, slots[(i + shift) % SLOTS])
                for i, (who, interview_id) in enumerate(contenders)
                for shift in SHIFTS
            )
        )
    elapsed = time.monotonic() - began
    took.sort()
    print(
        f"{len(answers)} claims in {elapsed:.1f} s ({len(answers) / elapsed:.0f}/s); "
        f"p50 {took[len(took) // 2]:.2f} s, p99 {took[int(len(took) * 0.99)]:.2f} s"
    )
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]

    won = race_winners(list(answers), SLOTS)
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    # Refused claims write nothing: the pool accepted its 4 proposals and the 200 winners.
    assert await _accepted_updates(stack, job_id) == SLOTS // PROPOSAL_LIMIT + SLOTS

    await booked_as_won(stack, job_id, won)
