"""Claims through two API processes and two worker processes sharing one PostgreSQL database and
one Temporal dev server (tests/process_stack.py): 100 waiting contractors fire 2 claims each, for
50 slots of one round, half through each API. The round's slot pool decides them wherever they
come from and whichever worker runs it; each API process bounds its own updates in flight.

Every 200 has its slot row and its interview says booked; no slot and no contractor is booked
twice; no 5xx. Needs TEST_POSTGRES_URL."""

import asyncio
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from contracts.hiring import InterviewStatus, SlotPoolState
from core.db import Database
from core.settings import Settings
from domain.ids import slot_pool_workflow_id
from store.models import Slot
from tests.helpers import eventually
from tests.mail import MailServer, free_port
from tests.process_stack import ProcessStack, wait_for
from tests.scheduling import (
    awaiting_slots,
    half_hourly_starts,
    slot_ids,
)
from tests.stack import Actor, Stack
from workflows.interview import InterviewWorkflow
from workflows.slot_pool import SlotPoolWorkflow

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
    client_of_temporal = await processes.connect()
    settings = Settings(
        database_url=processes.database_url,
        temporal_address=processes.address,
        temporal_task_queue=processes.task_queue,
        _env_file=None,  # type: ignore[call-arg]
    )
    db = Database(processes.database_url)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    env = WorkflowEnvironment.from_client(client_of_temporal)
    async with (
        httpx.AsyncClient(base_url=processes.base_url, limits=limits, timeout=120) as first,
        httpx.AsyncClient(base_url=second_url, limits=limits, timeout=120) as second,
    ):
        stack = Stack(env, first, db, settings, mail)
        try:
            await _burst(stack, second, processes)
        finally:
            await db.dispose()


async def _burst(stack: Stack, second: httpx.AsyncClient, processes: ProcessStack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)

    contenders = await awaiting_slots(stack, client, job, CONTRACTORS, 20)
    slots = await slot_ids(stack, client, job["id"], await half_hourly_starts(stack, SLOTS))

    async def pool() -> SlotPoolState:
        handle = stack.env.client.get_workflow_handle(slot_pool_workflow_id(job["id"], 1))
        state: SlotPoolState = await handle.query(SlotPoolWorkflow.status)
        return state

    await eventually(pool, lambda state: len(state.waiting) == CONTRACTORS, seconds=60)
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
            for i, (who, interview_id) in enumerate(contenders)
            for shift in SHIFTS
        )
    )
    elapsed = time.monotonic() - began
    print(f"{len(answers)} claims through 2 APIs and 2 workers in {elapsed:.1f} s")

    statuses = Counter(response.status_code for _, _, response in answers)
    assert set(statuses) <= {200, 409}, (statuses, processes.tail("api"), processes.tail("api-2"))
    won = [(interview_id, slot_id) for interview_id, slot_id, r in answers if r.status_code == 200]
    assert len(won) == SLOTS
    assert len({slot_id for _, slot_id in won}) == SLOTS
    assert len({interview_id for interview_id, _ in won}) == SLOTS

    async def booked_rows() -> set[tuple[str | None, str]]:
        async with stack.db.session() as session:
            rows = await session.exec(select(Slot).where(Slot.job_post_id == job["id"]))
            return {(r.interview_id, r.id) for r in rows if r.status == "booked"}

    assert await eventually(booked_rows, lambda rows: len(rows) == SLOTS, 30) == set(won)
    for interview_id, slot_id in won:
        state = await stack.env.client.get_workflow_handle(interview_id).query(
            InterviewWorkflow.status
        )
        assert state.status == InterviewStatus.BOOKED
        assert state.booking is not None and state.booking.slot_id == slot_id
