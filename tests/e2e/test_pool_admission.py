"""Admission control (README, "Scheduling: how claims stay atomic"): each API process lets at
most POOL_UPDATES_IN_FLIGHT updates through at once on one slot pool, the others wait their turn
in arrival order; only past POOL_UPDATES_QUEUED waiting claims does one answer 503 with
Retry-After. (Bursts through the API: tests/e2e/test_slot_claims_burst.py.)"""

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from api.admission import RETRY_AFTER_SECONDS, PoolAdmission, PoolBusy
from tests.mail import MailServer
from tests.scheduling import claim, now_of, requested, slot_ids
from tests.stack import running_stack

CLAIMS = 6


async def test_updates_beyond_the_bound_wait_their_turn_in_arrival_order() -> None:
    admission = PoolAdmission(in_flight=2, queued=3)
    running = 0
    most = 0
    order: list[int] = []
    release = asyncio.Event()

    async def update(n: int) -> None:
        nonlocal running, most
        async with admission.admit("slots-jp-r1"):
            running += 1
            most = max(most, running)
            order.append(n)
            await release.wait()
            running -= 1

    admitted = [asyncio.ensure_future(update(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    assert (running, order) == (2, [0, 1])
    # Past 2 in flight and 3 waiting, the next one is turned away (503 with Retry-After).
    with pytest.raises(PoolBusy):
        async with admission.admit("slots-jp-r1"):
            pass
    # Another pool has its own bound.
    async with admission.admit("slots-jp-r2"):
        pass
    release.set()
    await asyncio.gather(*admitted)
    assert most == 2 and order == [0, 1, 2, 3, 4]


async def test_past_the_queue_bound_a_claim_answers_503_with_retry_after(
    time_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> None:
    async with running_stack(
        time_env, sqlite_url, mail, pool_updates_in_flight=1, pool_updates_queued=0
    ) as stack:
        client = await stack.client_user()
        job = await stack.job_post(client)
        contenders = [await requested(stack, client, job) for _ in range(CLAIMS)]
        first = (await now_of(stack) + timedelta(days=3)).replace(microsecond=0)
        slots = await slot_ids(
            stack, client, job["id"], [first + timedelta(hours=i) for i in range(CLAIMS)]
        )
        answers = await asyncio.gather(
            *(
                claim(stack, who.contractor, who.interview_id, slot)
                for who, slot in zip(contenders, slots, strict=True)
            )
        )
    statuses = Counter(a.status_code for a in answers)
    assert statuses[200] >= 1 and set(statuses) == {200, 503}, statuses
    for busy in (a for a in answers if a.status_code == 503):
        assert busy.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "try again" in busy.json()["detail"]
