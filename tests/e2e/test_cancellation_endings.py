"""Endings (PRODUCT.md, "Cancellation and rescheduling"): a contractor's withdrawal and the
client's closing of a job post end every open candidacy cleanly: bookings cancelled (calendars
get METHOD:CANCEL), slots freed (reopened after a withdrawal, withdrawn with a closed post),
offers pulled, timers stopped, and each person told once."""

from datetime import datetime, timedelta

import pytest
from fastapi import HTTPException, Response
from sqlalchemy import update
from sqlmodel import col, select
from temporalio.client import WorkflowExecutionStatus

from api.routes.candidacies import _start_candidacy
from api.workflows import Workflows
from domain.ids import candidacy_workflow_id
from domain.proration import billing_date
from store.models import JobPost, Notification, Slot
from tests.cancellation import booked_interview, slot_row
from tests.closing import close_finished, close_job_post
from tests.helpers import eventually, notified, skip_to, wait_for_stage
from tests.offer_stage import ONE_ROUND, candidacy_at_offer, offer_terms
from tests.scheduling import (
    booked,
    decide,
    exactly,
    invited,
    invites_to,
    now_of,
    record_completed,
    request_interview,
    settle,
    slot_ids,
)
from tests.stack import Actor, Stack


async def _told_since(stack: Stack, user_id: str, since: datetime) -> list[str]:
    async with stack.db.session() as session:
        rows = await session.exec(
            select(Notification.kind).where(
                Notification.user_id == user_id, col(Notification.created_at) >= since
            )
        )
        return sorted(rows)


async def _not_running(stack: Stack, workflow_id: str) -> WorkflowExecutionStatus:
    async def status() -> WorkflowExecutionStatus | None:
        return (await stack.env.client.get_workflow_handle(workflow_id).describe()).status

    found: WorkflowExecutionStatus = await eventually(
        status, lambda s: s != WorkflowExecutionStatus.RUNNING
    )
    return found


async def _send_offer(stack: Stack, client: Actor, candidacy_id: str) -> None:
    start_date = billing_date(await stack.env.get_current_time(), "UTC") + timedelta(days=14)
    sent = await stack.http.post(
        f"/candidacies/{candidacy_id}/offers", json=offer_terms(start_date), headers=client.auth
    )
    assert sent.status_code == 201, sent.text


async def test_closing_a_job_post_ends_candidacies_in_every_stage_cleanly(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    first = (await now_of(stack) + timedelta(hours=3)).replace(second=0, microsecond=0)
    held = [first, first + timedelta(minutes=30)]
    offered, offered_id = await invited(stack, client, job)
    deciding, deciding_id = await invited(stack, client, job)
    offered_slot, deciding_slot = await slot_ids(stack, client, job["id"], held, minutes=15)
    offered_interview = await request_interview(stack, client, offered_id)
    deciding_interview = await request_interview(stack, client, deciding_id)
    await booked(stack, offered, offered_interview, offered_slot)
    await booked(stack, deciding, deciding_interview, deciding_slot)
    await skip_to(stack, held[1] + timedelta(minutes=20))
    for interview_id in (offered_interview, deciding_interview):
        await record_completed(stack, client, interview_id)
    await wait_for_stage(stack, offered_id, client, "decision_pending")
    advanced = await decide(stack, client, offered_id, "advance")
    assert advanced.status_code == 200, advanced.text
    await wait_for_stage(stack, offered_id, client, "offer")
    await _send_offer(stack, client, offered_id)
    await wait_for_stage(stack, deciding_id, client, "decision_pending")

    later = (await now_of(stack) + timedelta(days=3)).replace(microsecond=0)
    booked_one, booked_id = await invited(stack, client, job)
    waiting, waiting_id = await invited(stack, client, job)
    shortlisted, shortlisted_id = await invited(stack, client, job)
    applicant = await stack.contractor()
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=applicant.auth)
    assert applied.status_code == 201, applied.text
    applied_id = applied.json()["id"]
    booked_slot, open_slot = await slot_ids(
        stack, client, job["id"], [later, later + timedelta(hours=1)], minutes=15
    )
    booked_interview_id = await request_interview(stack, client, booked_id)
    waiting_interview = await request_interview(stack, client, waiting_id)
    await booked(stack, booked_one, booked_interview_id, booked_slot)
    await eventually(lambda: _async(len(invites_to(stack, booked_one.email))), lambda n: n == 1)
    await settle(stack)
    closed_at = await now_of(stack)

    await close_job_post(stack, client, job["id"])

    assert (await close_finished(stack, client, job["id"]))["candidacies_ended"] == 6
    candidacies = [offered_id, deciding_id, booked_id, waiting_id, shortlisted_id, applied_id]
    for candidacy_id in candidacies:
        assert await _not_running(stack, candidacy_id) == WorkflowExecutionStatus.COMPLETED
        state = (await stack.http.get(f"/candidacies/{candidacy_id}", headers=client.auth)).json()
        assert state["stage"] == "closed", state
    for interview_id in (
        offered_interview,
        deciding_interview,
        booked_interview_id,
        waiting_interview,
    ):
        await _not_running(stack, interview_id)
    offer_id = f"offer-{job['id']}-{offered.id}"
    await _not_running(stack, offer_id)
    offer = await stack.http.get(f"/offers/{offer_id}", headers=client.auth)
    assert offer.json()["status"] == "withdrawn"
    # Slots ahead are all withdrawn: none booked, none open; the two held ones stay as held.
    async with stack.db.session() as session:
        slots = {
            s.id: s for s in await session.exec(select(Slot).where(Slot.job_post_id == job["id"]))
        }
    assert {slots[booked_slot].status, slots[open_slot].status} == {"withdrawn"}
    assert slots[booked_slot].interview_id is None
    assert {slots[offered_slot].status, slots[deciding_slot].status} == {"booked"}

    # Each contractor hears once: the close (with the calendar's CANCEL for the booked one).
    await skip_to(stack, await now_of(stack) + timedelta(minutes=5))
    for contractor in (offered, deciding, booked_one, waiting, shortlisted, applicant):
        assert await _told_since(stack, contractor.id, closed_at) == ["job_post_closed"]
    mails = invites_to(stack, booked_one.email)
    assert len(mails) == 2
    message, calendar = mails[-1]
    assert calendar["METHOD"] == "CANCEL"
    assert str(message["Subject"]) == "A job post was closed"
    # The client's calendars lose the booked interview; nothing else comes the client's way.
    assert await _told_since(stack, client.id, closed_at) == ["interview_invite_cancelled"]
    # Nothing of the ended candidacies fires later (reminders, decision clock, offer expiry).
    await skip_to(stack, later + timedelta(days=10))
    for contractor in (offered, deciding, booked_one, waiting, shortlisted, applicant):
        assert await _told_since(stack, contractor.id, closed_at) == ["job_post_closed"]
    assert await _told_since(stack, client.id, closed_at) == ["interview_invite_cancelled"]


async def _async(value: object) -> object:
    return value


async def test_a_withdrawing_contractors_booked_slot_reopens_and_the_client_is_told_once(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    await eventually(lambda: _async(len(invites_to(stack, ada.client.email))), lambda n: n == 1)
    withdrawn = await stack.http.post(
        f"/candidacies/{ada.who.candidacy_id}/withdraw",
        json={"reason": "I took another role"},
        headers=ada.contractor.auth,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert await _not_running(stack, ada.interview_id) == WorkflowExecutionStatus.CANCELED
    slot = await slot_row(stack, ada.slot_id)
    assert (slot.status, slot.interview_id) == ("open", None)
    [told] = await notified(stack, ada.client.id, "candidacy_withdrawn")
    assert "I took another role" in told.body_text and "is cancelled" in told.body_text
    await exactly(stack, ada.client.id, "interview_invite_cancelled", 0)
    await exactly(stack, ada.contractor.id, "interview_invite_cancelled", 1)
    message, calendar = invites_to(stack, ada.client.email)[-1]
    assert calendar["METHOD"] == "CANCEL" and str(message["Subject"]) == "A candidate withdrew"


async def test_rejecting_a_booked_candidacy_tells_the_contractor_once(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    rejected = await stack.http.post(
        f"/candidacies/{ada.who.candidacy_id}/reject",
        json={"feedback": "We hired internally"},
        headers=ada.client.auth,
    )
    assert rejected.status_code == 200, rejected.text
    [told] = await notified(stack, ada.contractor.id, "candidacy_rejected")
    assert "We hired internally" in told.body_text
    await exactly(stack, ada.contractor.id, "interview_invite_cancelled", 0)
    await exactly(stack, ada.client.id, "interview_invite_cancelled", 1)
    assert (await slot_row(stack, ada.slot_id)).status == "open"


async def test_withdrawing_at_the_offer_stage_pulls_the_offer_quietly(stack: Stack) -> None:
    at = await candidacy_at_offer(stack)
    await _send_offer(stack, at.client, at.candidacy_id)
    await notified(stack, at.contractor.id, "offer_received")

    withdrawn = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/withdraw", json={}, headers=at.contractor.auth
    )

    assert withdrawn.status_code == 200, withdrawn.text
    assert await _not_running(stack, at.offer_id) == WorkflowExecutionStatus.COMPLETED
    offer = await stack.http.get(f"/offers/{at.offer_id}", headers=at.client.auth)
    assert offer.json()["status"] == "withdrawn"
    await exactly(stack, at.contractor.id, "offer_withdrawn", 0)
    await exactly(stack, at.client.id, "candidacy_withdrawn", 1)
    accepted = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 1}, headers=at.contractor.auth
    )
    assert accepted.status_code == 409


async def test_an_application_racing_the_close_ends_at_once(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    contractor = await stack.contractor()
    async with stack.db.session() as session:
        seen_open = await session.get(JobPost, job["id"])
        assert seen_open is not None and seen_open.status == "open"
        # The close lands between the application's check and its candidacy's start.
        async with stack.db.session() as other:
            await other.exec(
                update(JobPost).where(col(JobPost.id) == job["id"]).values(status="closed")
            )
            await other.commit()
        with pytest.raises(HTTPException) as refused:
            await _start_candidacy(
                session,
                Workflows(stack.env.client, session),
                stack.settings,
                seen_open,
                contractor.id,
                "applied",
                await now_of(stack),
                Response(),
            )
    assert refused.value.status_code == 409
    candidacy_id = candidacy_workflow_id(job["id"], contractor.id)
    state = await wait_for_stage(stack, candidacy_id, contractor, "closed")
    assert state["stage"] == "closed"
    await exactly(stack, contractor.id, "job_post_closed", 1)
    assert await _not_running(stack, candidacy_id) == WorkflowExecutionStatus.COMPLETED
