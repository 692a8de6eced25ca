"""A slot is booked at most once and a contractor at most once per round, under any concurrency:
200 contractors race for 50 open slots of one job post round on a real Temporal dev server, each
firing two claims at once for different slots. Run on SQLite and on PostgreSQL."""

import asyncio
from typing import Any

import httpx

from tests.scheduling import booked_as_won, race_winners, slot_race
from tests.stack import Actor, Stack

CONTRACTORS = 200
SLOTS = 50


async def test_200_contractors_racing_for_50_slots_get_exactly_50_bookings(
    dev_stack: Stack,
) -> None:
    stack = dev_stack
    race = await slot_race(stack, CONTRACTORS, SLOTS, 25)
    slots = race.slots

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
        for i, (who, interview_id) in enumerate(race.contenders)
        for shift in (0, SLOTS // 2)
    ]
    answers = await asyncio.gather(*claims)

    won = race_winners(answers, SLOTS)
    await booked_as_won(stack, race.job_post_id, won)
