"""Claims through two API processes and two worker processes sharing one PostgreSQL database and
one Temporal dev server (tests/process_stack.py): 100 waiting contractors fire 2 claims each, for
50 slots of one round, half through each API. The round's slot pool decides them wherever they
come from and whichever worker runs it; each API process bounds its own updates in flight.

Every 200 has its slot row and its interview says booked; no slot and no contractor is booked
twice; no 5xx. Needs TEST_POSTGRES_URL."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import eventually
from tests.mail import MailServer, free_port
from tests.process_stack import ProcessStack, wait_for
from tests.product import LIMITS, product_stack
from tests.scheduling import booked_as_won, pool_state, race_winners, slot_race
from tests.stack import Actor, Stack

CONTRACTORS = 100
SLOTS = 50
SHIFTS = (0, SLOTS // 2)  # two claims each, for two different slots: 200 claims
IN_FLIGHT_PER_API = "100"  # two APIs: 200 in flight at most, below the server's 500


@pytest.fixture(scope="module")
async def two_of_each(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, mail: MailServer
) -> AsyncIterator[tuple[ProcessStack, str]]:
    """Temporal, then two workers and two APIs as processes of their own; answers the stack
    and the second API's base URL."""
    folder: Path = tmp_path_factory.mktemp("two-of-each")
    stack = ProcessStack(
        folder,
        postgres_url,
        persistent=False,
        env={
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mail.port),
            "POOL_UPDATES_IN_FLIGHT": IN_FLIGHT_PER_API,
        },
    )
    second_port = free_port()
    second_url = f"http://127.0.0.1:{second_port}"
    try:
        await stack.start()
        stack._spawn("worker-2", [sys.executable, "-m", "workers.worker"])
        stack._spawn(
            "api-2",
            [
                sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
                "--host", "127.0.0.1", "--port", str(second_port), "--log-level", "warning",
                "--no-access-log", "--backlog", "4096",
            ],
        )  # fmt: skip

        async def second_api_answers() -> bool:
            async with httpx.AsyncClient(base_url=second_url) as http:
                return bool((await http.get("/health")).json().get("status") == "ok")

        await wait_for(second_api_answers, "the second API")
        yield stack, second_url
    finally:
        for name in ("api-2", "worker-2"):
            stack.stop(name)
        stack.stop_all()


async def test_200_claims_through_2_apis_and_2_workers_book_each_slot_once(
    two_of_each: tuple[ProcessStack, str], mail: MailServer
) -> None:
    processes, second_url = two_of_each
    async with (
        product_stack(processes, mail, read_seconds=120) as stack,
        httpx.AsyncClient(base_url=second_url, limits=LIMITS, timeout=120) as second,
    ):
        await _burst(stack, second, processes)


async def _burst(stack: Stack, second: httpx.AsyncClient, processes: ProcessStack) -> None:
    race = await slot_race(stack, CONTRACTORS, SLOTS, 20)
    slots = race.slots
    await eventually(
        lambda: pool_state(stack, race.job_post_id),
        lambda state: len(state.waiting) == CONTRACTORS,
        seconds=60,
    )
    apis = (stack.http, second)

    async def claim(n: int, who: Actor, interview_id: str, slot_id: str) -> tuple[str, str, Any]:
        response = await apis[n % 2].post(
            f"/interviews/{interview_id}/claim", json={"slot_id": slot_id}, headers=who.auth
        )
        return interview_id, slot_id, response

    began = time.monotonic()
    answers = await asyncio.gather(
        *(
            claim(i + shift, who, interview_id, slots[(i + shift) % SLOTS])
            for i, (who, interview_id) in enumerate(race.contenders)
            for shift in SHIFTS
        )
    )
    elapsed = time.monotonic() - began
    print(f"{len(answers)} claims through 2 APIs and 2 workers in {elapsed:.1f} s")

    tails = (processes.tail("api"), processes.tail("api-2"))
    won = race_winners(list(answers), SLOTS, tails)
    await booked_as_won(stack, race.job_post_id, won)
