"""Closing a job post through the HTTP API: the API answers at once with the close's state, and
the close (a workflow) ends every open candidacy as closed (its booked interview cancelled, its
contractor told) in batches of 20, ended ones stay as they were, nothing new starts; closing again
answers the same close, and finishes what an interrupted close left open."""

import asyncio
import json
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from contracts.job_post_close import CloseProgress
from core.codec import DEV_PAYLOAD_KEYS, EncryptionCodec, KeyRing
from domain.ids import candidacy_workflow_id, job_post_close_workflow_id
from store.models import JobPost, Notification
from tests.closing import close_finished, close_job_post
from tests.helpers import gather_at_most, record_history
from tests.scheduling import booked, shortlisted_with_request, slot_days_ahead
from tests.stack import Actor, Stack
from workflows import search_attributes as sa
from workflows.job_post_close import BATCH_SIZE, JobPostCloseWorkflow


async def _apply(stack: Stack, job_id: str, contractor: Actor) -> str:
    response = await stack.http.post(f"/job-posts/{job_id}/applications", headers=contractor.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _eventually(stack: Stack, path: str, actor: Actor, field: str, value: Any) -> Any:
    """The resource once `field` has `value`: workflows move on after the API answers."""
    deadline = time.monotonic() + 10
    while True:
        body = (await stack.http.get(path, headers=actor.auth)).json()
        if body.get(field) == value or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.05)


async def _kinds_sent(stack: Stack, user_id: str, kind: str) -> int:
    deadline = time.monotonic() + 10
    while True:
        async with stack.db.session() as session:
            rows = list(
                await session.exec(
                    select(Notification).where(
                        Notification.user_id == user_id, Notification.kind == kind
                    )
                )
            )
        if rows or time.monotonic() > deadline:
            return len(rows)
        await asyncio.sleep(0.05)


async def test_closing_a_job_post_ends_every_open_candidacy(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    applicant, invitee, interviewee, withdrawn = [await stack.contractor() for _ in range(4)]

    applied_id = await _apply(stack, job["id"], applicant)
    invited = await stack.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": invitee.id},
        headers=client.auth,
    )
    assert invited.status_code == 201, invited.text
    invited_id = invited.json()["id"]
    interviewing_id, interview_id = await shortlisted_with_request(
        stack, client, interviewee, job["id"]
    )
    slot_id = await slot_days_ahead(stack, client, job["id"], days=2)
    await booked(stack, interviewee, interview_id, slot_id)
    withdrawn_id = await _apply(stack, job["id"], withdrawn)
    gone = await stack.http.post(
        f"/candidacies/{withdrawn_id}/withdraw", json={}, headers=withdrawn.auth
    )
    assert gone.status_code == 200, gone.text

    body = await close_job_post(stack, client, job["id"])

    assert body["status"] == "closed"
    assert body["closed_at"] is not None
    finished = await close_finished(stack, client, job["id"])
    assert (finished["status"], finished["candidacies_total"]) == ("finished", 3)
    assert (finished["candidacies_ended"], finished["candidacies_remaining"]) == (3, 0)
    for candidacy_id, actor in (
        (applied_id, applicant),
        (invited_id, invitee),
        (interviewing_id, interviewee),
    ):
        state = await _eventually(stack, f"/candidacies/{candidacy_id}", actor, "stage", "closed")
        assert state["stage"] == "closed", state
        assert await _kinds_sent(stack, actor.id, "job_post_closed") == 1
    still = await stack.http.get(f"/candidacies/{withdrawn_id}", headers=withdrawn.auth)
    assert still.json()["stage"] == "withdrawn"
    interview = await _eventually(
        stack, f"/interviews/{interview_id}", interviewee, "status", "cancelled"
    )
    assert interview["status"] == "cancelled", interview
    listed = await stack.http.get(
        "/candidacies", params={"job_post_id": job["id"]}, headers=client.auth
    )
    assert sorted(c["stage"] for c in listed.json()["items"]) == [
        "closed",
        "closed",
        "closed",
        "withdrawn",
    ]
    read = await stack.http.get(f"/job-posts/{job['id']}", headers=client.auth)
    assert read.json()["status"] == "closed"
    assert read.json()["closed_at"] == body["closed_at"]


async def test_closing_a_post_stored_closed_whose_close_never_started_ends_its_candidacies(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    first, second = await stack.contractor(), await stack.contractor()
    first_id = await _apply(stack, job["id"], first)
    second_id = await _apply(stack, job["id"], second)
    # A close that stored the job post as closed, then lost the workflow service before it
    # started its workflow.
    closed_at = (await stack.env.get_current_time()).replace(microsecond=0)
    async with stack.db.session() as session:
        await session.exec(
            update(JobPost)
            .where(col(JobPost.id) == job["id"])
            .values(status="closed", closed_at=closed_at)
        )
        await session.commit()

    again = await close_job_post(stack, client, job["id"])

    assert again["status"] == "closed"
    assert datetime.fromisoformat(again["closed_at"]) == closed_at  # the first close's
    finished = await close_finished(stack, client, job["id"])
    assert (finished["candidacies_total"], finished["candidacies_ended"]) == (2, 2)
    for candidacy_id, actor in ((first_id, first), (second_id, second)):
        state = await _eventually(stack, f"/candidacies/{candidacy_id}", actor, "stage", "closed")
        assert state["stage"] == "closed"
        assert await _kinds_sent(stack, actor.id, "job_post_closed") == 1


async def test_closing_answers_at_once_with_the_close_s_state(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    applicants = [await stack.contractor() for _ in range(3)]
    for applicant in applicants:
        await _apply(stack, job["id"], applicant)

    body = await close_job_post(stack, client, job["id"])

    # The answer did not wait on the candidacies: the close had just begun.
    closing = body["closing"]
    assert closing["status"] == "running"
    assert (closing["candidacies_ended"], closing["finished_at"]) == (0, None)
    assert closing["started_at"] == body["closed_at"]
    finished = await close_finished(stack, client, job["id"])
    assert finished["started_at"] == closing["started_at"]
    assert finished["finished_at"] is not None
    assert (finished["candidacies_total"], finished["candidacies_ended"]) == (3, 3)
    assert finished["candidacies_remaining"] == 0
    described = await stack.env.client.get_workflow_handle(
        job_post_close_workflow_id(job["id"])
    ).describe()
    assert described.typed_search_attributes.get(sa.JOB_POST_ID) == job["id"]
    assert described.typed_search_attributes.get(sa.CLIENT_ID) == client.company_id


async def test_closing_again_returns_the_same_close(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    for applicant in [await stack.contractor() for _ in range(2)]:
        await _apply(stack, job["id"], applicant)
    handle = stack.env.client.get_workflow_handle(job_post_close_workflow_id(job["id"]))

    first = await close_job_post(stack, client, job["id"])
    first_run = (await handle.describe()).run_id
    while_running = await close_job_post(stack, client, job["id"])
    finished = await close_finished(stack, client, job["id"])
    after = await close_job_post(stack, client, job["id"])

    assert while_running["closed_at"] == first["closed_at"]
    assert while_running["closing"]["started_at"] == first["closing"]["started_at"]
    assert after["closing"] == finished
    assert (after["closing"]["candidacies_ended"], after["closing"]["status"]) == (2, "finished")
    assert (await handle.describe()).run_id == first_run


async def test_a_close_that_stopped_resumes_when_the_post_is_closed_again(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    applicants = [await stack.contractor() for _ in range(3)]
    ids = [await _apply(stack, job["id"], a) for a in applicants]
    handle = stack.env.client.get_workflow_handle(job_post_close_workflow_id(job["id"]))
    await close_job_post(stack, client, job["id"])
    await handle.terminate("the close was stopped by an operator")

    again = await close_job_post(stack, client, job["id"])

    assert again["closing"]["status"] == "running"
    finished = await close_finished(stack, client, job["id"])
    assert (finished["status"], finished["candidacies_remaining"]) == ("finished", 0)
    for candidacy_id, actor in zip(ids, applicants, strict=True):
        state = await _eventually(stack, f"/candidacies/{candidacy_id}", actor, "stage", "closed")
        assert state["stage"] == "closed"
        assert await _kinds_sent(stack, actor.id, "job_post_closed") == 1


async def test_a_post_with_more_than_two_batches_ends_them_all_twenty_at_a_time(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    applicants = [await stack.contractor() for _ in range(45)]
    ids = await gather_at_most([_apply(stack, job["id"], a) for a in applicants], 10)

    await close_job_post(stack, client, job["id"])

    finished = await close_finished(stack, client, job["id"], seconds=240)
    handle = stack.env.client.get_workflow_handle(job_post_close_workflow_id(job["id"]))
    progress = await handle.query(JobPostCloseWorkflow.progress)
    assert isinstance(progress, CloseProgress)
    counts = (
        progress.candidacies_total,
        progress.candidacies_ended,
        progress.candidacies_remaining,
    )
    assert counts == (45, 45, 0)
    assert progress.finished_at is not None and progress.finished_at >= progress.started_at
    assert finished == progress.model_dump(mode="json")
    listed = await stack.http.get(
        "/candidacies", params={"job_post_id": job["id"], "per_page": 100}, headers=client.auth
    )
    assert sorted(c["id"] for c in listed.json()["items"] if c["stage"] == "closed") == sorted(ids)
    assert _batches(await handle.fetch_history()) == ([20, 20, 5], BATCH_SIZE)
    await record_history(stack.env.client, handle.id, "job_post_close_three_batches")


async def test_applications_racing_a_close_all_end_at_once(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    early = [await stack.contractor() for _ in range(3)]
    for applicant in early:
        await _apply(stack, job["id"], applicant)
    racing = [await stack.contractor() for _ in range(8)]

    closed, *applied = await asyncio.gather(
        stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth),
        *(stack.http.post(f"/job-posts/{job['id']}/applications", headers=a.auth) for a in racing),
    )

    assert closed.status_code == 200, closed.text
    assert {a.status_code for a in applied} <= {201, 409}
    await close_finished(stack, client, job["id"])
    for actor, answer in zip(early + racing, [None] * len(early) + applied, strict=True):
        path = f"/candidacies/{candidacy_workflow_id(job['id'], actor.id)}"
        read = await stack.http.get(path, headers=actor.auth)
        if answer is not None and answer.status_code == 409 and read.status_code == 404:
            continue  # refused before its candidacy started: nothing to end
        state = await _eventually(stack, path, actor, "stage", "closed")
        assert state["stage"] == "closed", (answer and answer.text, state)
        assert await _kinds_sent(stack, actor.id, "job_post_closed") == 1


DEV_CODEC = EncryptionCodec(KeyRing.parse(DEV_PAYLOAD_KEYS))


def _batches(history: WorkflowHistory) -> tuple[list[int], int]:
    """The size of each batch of `close` updates the close sent, and the most candidacies it
    had in flight at any moment."""
    batches: dict[int, int] = {}  # scheduled event id: candidacies in the batch
    in_flight, most = 0, 0
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == "end_candidacies":
                payload = DEV_CODEC.open(scheduled.input.payloads[0])  # sealed in history
                size = len(json.loads(payload.data)["candidacy_ids"])
                batches[event.event_id] = size
                in_flight += size
                most = max(most, in_flight)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            completed = event.activity_task_completed_event_attributes
            in_flight -= batches.get(completed.scheduled_event_id, 0)
    return list(batches.values()), most


async def test_a_closed_job_post_takes_no_applications_invitations_or_slots(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    contractor = await stack.contractor()
    await close_job_post(stack, client, job["id"])
    # Finished, so that no close is under way when the module's worker stops: its last step
    # waits on the slot pools' workflow tasks, which a stopping worker no longer takes.
    assert (await close_finished(stack, client, job["id"]))["status"] == "finished"

    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    invited = await stack.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": contractor.id},
        headers=client.auth,
    )
    start = (await stack.env.get_current_time() + timedelta(days=2)).replace(microsecond=0)
    slots = await stack.http.post(
        f"/job-posts/{job['id']}/rounds/1/slots",
        json={"slots": [{"start": start.isoformat(), "duration_minutes": 30}]},
        headers=client.auth,
    )

    assert [applied.status_code, invited.status_code, slots.status_code] == [409, 409, 409]
    assert "closed" in applied.json()["detail"]


async def test_only_the_owner_closes(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    ops = await stack.ops()
    contractor = await stack.contractor()

    by_ops = await stack.http.post(f"/job-posts/{job['id']}/close", headers=ops.auth)
    by_contractor = await stack.http.post(f"/job-posts/{job['id']}/close", headers=contractor.auth)

    assert (by_ops.status_code, by_contractor.status_code) == (403, 403)
    read = await stack.http.get(f"/job-posts/{job['id']}", headers=client.auth)
    assert read.json()["status"] == "open"
