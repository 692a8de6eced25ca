"""Rule of the request path: no request holds a database connection across a Temporal wait, so
requests waiting on slow workflows never starve the others of the pool."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from api.workflows import UncommittedChanges, Workflows
from domain.ids import candidacy_workflow_id
from store.models import Candidacy, User
from tests.mail import MailServer
from tests.temporal_faults import UpdatesInFlight, api_only, client_with, unpolled_queue

BEYOND_THE_POOL = 20  # slow requests over the pool's size
GET_BOUND_SECONDS = 1.0


async def test_no_request_holds_a_database_connection_across_a_temporal_wait(
    dev_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> None:
    in_flight = UpdatesInFlight()
    queue = unpolled_queue()
    async with api_only(dev_env, client_with(dev_env, in_flight), sqlite_url, mail, queue) as (
        stack,
        app,
    ):
        pool: Any = app.state.db.engine.pool
        capacity = pool.size() + pool._max_overflow  # what the pool can ever hand out
        assert capacity == 15, pool.status()

        owner = await stack.client_user()
        contractor = await stack.contractor()
        job_post = await stack.job_post(owner)
        candidacy_id = candidacy_workflow_id(job_post["id"], contractor.id)
        async with stack.db.session() as session:
            session.add(
                Candidacy(
                    id=candidacy_id,
                    job_post_id=job_post["id"],
                    company_id=owner.company_id,
                    contractor_id=contractor.id,
                    source="applied",
                    stage="applied",
                    rounds_total=1,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )
            await session.commit()
        # The candidacy's workflow, on a queue no worker polls: every update to it waits.
        handle = await dev_env.client.start_workflow(
            "CandidacyWorkflow", id=candidacy_id, task_queue=queue
        )

        slow = [
            asyncio.create_task(
                stack.http.post(f"/candidacies/{candidacy_id}/shortlist", headers=owner.auth)
            )
            for _ in range(capacity + BEYOND_THE_POOL)
        ]
        try:
            # Wait (bounded) until every slow request waits on Temporal; were connections held
            # across the wait, the pool would run dry first and the rest would queue for it.
            reached = await _until(lambda: in_flight.count == len(slow), seconds=30)
            started = time.monotonic()
            try:
                me = await asyncio.wait_for(
                    stack.http.get("/me", headers=contractor.auth), timeout=10
                )
            except TimeoutError:
                pytest.fail(f"GET /me waited over 10 s behind {len(slow)} slow requests")
            waited = time.monotonic() - started
            assert me.status_code == 200, me.text
            assert me.json()["id"] == contractor.id
            assert waited < GET_BOUND_SECONDS, f"GET /me took {waited:.2f} s"
            assert reached, f"only {in_flight.count} of {len(slow)} requests reached Temporal"
            assert not any(task.done() for task in slow), "the slow requests must still wait"
            print(
                f"\n{len(slow)} updates waiting on Temporal, pool of {capacity}: "
                f"GET /me answered in {waited * 1000:.0f} ms, "
                f"{pool.checkedout()} connections checked out"
            )
        finally:
            for task in slow:
                task.cancel()
            await asyncio.gather(*slow, return_exceptions=True)
            await handle.terminate("test over")


async def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_temporal_calls_refuse_uncommitted_changes_and_a_released_session_stays_usable(
    dev_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> None:
    async with api_only(dev_env, dev_env.client, sqlite_url, mail, unpolled_queue()) as (
        stack,
        app,
    ):
        someone = await stack.contractor()
        async with stack.db.session() as session:
            temporal = Workflows(dev_env.client, session)
            user = await session.get(User, someone.id)
            assert user is not None
            user.name = "Renamed"
            with pytest.raises(UncommittedChanges):
                await temporal.check_service()
            await session.flush()  # written, yet not committed
            with pytest.raises(UncommittedChanges):
                await temporal.check_service()
            await session.commit()

            await session.exec(select(User).where(User.id == someone.id))
            assert session.in_transaction()
            await temporal.check_service()
            assert not session.in_transaction()
            assert app.state.db.engine.pool.checkedout() == 0
            # What was read stays loaded and attached; the next query checks a connection out.
            assert user.name == "Renamed"
            user.name = "Renamed again"
            await session.commit()
            await session.refresh(user)
            assert user.name == "Renamed again"
