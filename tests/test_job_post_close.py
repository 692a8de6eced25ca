"""Closing a job post through the HTTP API: every open candidacy ends as closed (its booked
interview cancelled, its contractor told), ended ones stay as they were, nothing new starts; closing
again finishes what an interrupted close left open."""

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from store.models import JobPost, Notification
from tests.stack import Actor, Stack


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
    interviewing_id = await _apply(stack, job["id"], interviewee)
    shortlisted = await stack.http.post(
        f"/candidacies/{interviewing_id}/shortlist", headers=client.auth
    )
    assert shortlisted.status_code == 200, shortlisted.text
    requested = await stack.http.post(
        f"/candidacies/{interviewing_id}/interview-requests", json={}, headers=client.auth
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]
    start = (await stack.env.get_current_time() + timedelta(days=2)).replace(microsecond=0)
    slots = await stack.http.post(
        f"/job-posts/{job['id']}/rounds/1/slots",
        json={"slots": [{"start": start.isoformat(), "duration_minutes": 30}]},
        headers=client.auth,
    )
    assert slots.status_code == 201, slots.text
    booked = await stack.http.post(
        f"/interviews/{interview_id}/claim",
        json={"slot_id": slots.json()[0]["id"]},
        headers=interviewee.auth,
    )
    assert booked.status_code == 200, booked.text
    withdrawn_id = await _apply(stack, job["id"], withdrawn)
    gone = await stack.http.post(
        f"/candidacies/{withdrawn_id}/withdraw", json={}, headers=withdrawn.auth
    )
    assert gone.status_code == 200, gone.text

    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)

    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["candidacies_ended"]) == ("closed", 3)
    assert body["closed_at"] is not None
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


async def test_closing_again_ends_what_a_failed_close_left_open(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    first, second = await stack.contractor(), await stack.contractor()
    first_id = await _apply(stack, job["id"], first)
    second_id = await _apply(stack, job["id"], second)
    # A close that stored the job post as closed, then lost the workflow service before it
    # ended any candidacy.
    closed_at = (await stack.env.get_current_time()).replace(microsecond=0)
    async with stack.db.session() as session:
        await session.exec(
            update(JobPost)
            .where(col(JobPost.id) == job["id"])
            .values(status="closed", closed_at=closed_at)
        )
        await session.commit()

    again = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    once_more = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)

    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["candidacies_ended"]) == ("closed", 2)
    assert datetime.fromisoformat(again.json()["closed_at"]) == closed_at  # the first close's
    assert once_more.status_code == 200, once_more.text
    assert once_more.json()["candidacies_ended"] == 0
    for candidacy_id, actor in ((first_id, first), (second_id, second)):
        state = await _eventually(stack, f"/candidacies/{candidacy_id}", actor, "stage", "closed")
        assert state["stage"] == "closed"
        assert await _kinds_sent(stack, actor.id, "job_post_closed") == 1


async def test_a_closed_job_post_takes_no_applications_invitations_or_slots(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    contractor = await stack.contractor()
    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    assert closed.status_code == 200, closed.text

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
