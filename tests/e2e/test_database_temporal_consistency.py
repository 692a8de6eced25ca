"""Rule: writes that span the database and Temporal stay consistent. A candidacy's row and its
workflow come to exist together: a request that fails between the two steps leaves nothing a
retry cannot finish, a retry ends with one row and one workflow run, and a row never disappears
while its workflow exists. The same holds for a thread message and its email relay."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import func, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from core.db import Database
from domain.ids import candidacy_workflow_id
from store.models import Candidacy, Message
from tests.helpers import eventually
from tests.mail import MailServer
from tests.stack import Actor, Stack
from tests.temporal_faults import LostStartAnswers, api_only, client_with, unpolled_queue
from workers.worker import create_worker
from workflows.message_relay import relay_workflow_id


@pytest.fixture
async def losing(
    time_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> AsyncIterator[tuple[LostStartAnswers, Stack]]:
    """The API, no worker, on a client that loses the answers of the workflow starts made while
    `fault.losing()`."""
    fault = LostStartAnswers()
    async with api_only(
        time_env, client_with(time_env, fault), sqlite_url, mail, unpolled_queue()
    ) as (stack, _app):
        yield fault, stack


async def _rows(db: Database, candidacy_id: str) -> int:
    async with db.session() as session:
        statement = select(func.count()).select_from(Candidacy).where(Candidacy.id == candidacy_id)
        return int((await session.exec(statement)).one())


async def _run_of(env: WorkflowEnvironment, workflow_id: str) -> tuple[str, Any] | None:
    """(run id, status) of the workflow's latest run, None when it never started."""
    try:
        described = await env.client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return described.run_id, described.status


async def _parties(stack: Stack) -> tuple[Actor, Actor, str]:
    owner = await stack.client_user()
    contractor = await stack.contractor()
    job_post = await stack.job_post(owner)
    return owner, contractor, candidacy_workflow_id(job_post["id"], contractor.id)


def _job_post_of(candidacy_id: str) -> str:
    return candidacy_id.split("-")[1]


async def test_writes_spanning_database_and_temporal_stay_consistent_when_a_start_answer_is_lost(
    time_env: WorkflowEnvironment, losing: tuple[LostStartAnswers, Stack]
) -> None:
    fault, stack = losing
    _owner, contractor, candidacy_id = await _parties(stack)
    rows_when_started: list[int] = []

    async def look(_workflow_id: str) -> None:
        rows_when_started.append(await _rows(stack.db, candidacy_id))

    fault.on_lost = look
    apply = f"/job-posts/{_job_post_of(candidacy_id)}/applications"
    with fault.losing():
        failed = await stack.http.post(apply, headers=contractor.auth)
    assert fault.lost == [candidacy_id]
    assert failed.status_code == 503, failed.text

    # The workflow started though its answer was lost; a row seen meanwhile is still there.
    first = await _run_of(time_env, candidacy_id)
    assert first is not None and first[1] == WorkflowExecutionStatus.RUNNING
    assert await _rows(stack.db, candidacy_id) >= rows_when_started[0]

    # Nobody retries yet: once a worker runs it, the workflow's first stage change stores
    # the row.
    async with create_worker(time_env.client, stack.settings, stack.db):
        assert await eventually(lambda: _rows(stack.db, candidacy_id), lambda n: n == 1)
        listed = await stack.http.get("/candidacies", headers=contractor.auth)
        assert [c["id"] for c in listed.json()["items"]] == [candidacy_id]

    retried = await stack.http.post(apply, headers=contractor.auth)
    assert retried.status_code == 200, retried.text
    assert retried.json()["id"] == candidacy_id
    again = await stack.http.post(apply, headers=contractor.auth)
    assert again.status_code == 200, again.text

    assert await _rows(stack.db, candidacy_id) == 1
    assert await _run_of(time_env, candidacy_id) == first  # the same run, still running
    await time_env.client.get_workflow_handle(candidacy_id).terminate("test over")


async def test_a_retried_application_starts_the_workflow_of_a_row_left_without_one(
    time_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> None:
    async with api_only(time_env, time_env.client, sqlite_url, mail, unpolled_queue()) as (
        stack,
        _app,
    ):
        owner, contractor, candidacy_id = await _parties(stack)
        # What a request that stored the row and then died before starting the workflow left.
        now = datetime.now(UTC)
        async with stack.db.session() as session:
            session.add(
                Candidacy(
                    id=candidacy_id,
                    job_post_id=_job_post_of(candidacy_id),
                    company_id=owner.company_id,
                    contractor_id=contractor.id,
                    source="applied",
                    stage="applied",
                    rounds_total=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            await session.commit()
        assert await _run_of(time_env, candidacy_id) is None

        apply = f"/job-posts/{_job_post_of(candidacy_id)}/applications"
        retried = await stack.http.post(apply, headers=contractor.auth)
        assert retried.status_code in (200, 201), retried.text
        healed = await _run_of(time_env, candidacy_id)
        assert healed is not None and healed[1] == WorkflowExecutionStatus.RUNNING
        again = await stack.http.post(apply, headers=contractor.auth)
        assert again.status_code == 200, again.text
        assert await _run_of(time_env, candidacy_id) == healed
        assert await _rows(stack.db, candidacy_id) == 1
        await time_env.client.get_workflow_handle(candidacy_id).terminate("test over")


async def test_a_message_whose_relay_start_answer_is_lost_is_kept_with_its_one_relay(
    time_env: WorkflowEnvironment, losing: tuple[LostStartAnswers, Stack]
) -> None:
    fault, stack = losing
    owner, contractor, candidacy_id = await _parties(stack)
    apply = f"/job-posts/{_job_post_of(candidacy_id)}/applications"
    assert (await stack.http.post(apply, headers=contractor.auth)).status_code == 201
    thread = await stack.http.post(
        "/threads", json={"contractor_id": contractor.id}, headers=owner.auth
    )
    assert thread.status_code == 201, thread.text

    with fault.losing():
        posted = await stack.http.post(
            f"/threads/{thread.json()['id']}/messages",
            json={"body": "Are you free on Tuesday?"},
            headers=owner.auth,
        )
    assert len(fault.lost) == 1
    assert posted.status_code == 201, posted.text
    relay_id = fault.lost[0]
    assert relay_id == relay_workflow_id(posted.json()["id"])
    async with stack.db.session() as session:
        assert await session.get(Message, posted.json()["id"]) is not None
    relay = await _run_of(time_env, relay_id)
    assert relay is not None and relay[1] == WorkflowExecutionStatus.RUNNING
    for workflow_id in (relay_id, candidacy_id):
        await time_env.client.get_workflow_handle(workflow_id).terminate("test over")
