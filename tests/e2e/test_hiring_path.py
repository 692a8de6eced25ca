"""The first hiring path end to end, through the HTTP API with the real worker on the
time-skipping server: apply, shortlist, request round 1, claim a slot, interview, outcome,
decision; rejection with feedback; double applications; a slot claimed twice."""

from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus

from domain.feedback import DEFAULT_REJECTION_FEEDBACK
from tests.helpers import eventually, notified, record_history, wait_for_stage
from tests.scheduling import decide, shortlisted_with_request, slot_days_ahead
from tests.stack import Stack
from workflows.deliveries import unsent_workflow_id


async def test_apply_shortlist_interview_and_advance(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)

    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    assert applied.status_code == 201, applied.text
    candidacy_id = applied.json()["id"]
    assert candidacy_id == f"candidacy-{job['id']}-{contractor.id}"
    assert applied.json()["stage"] == "applied"
    await notified(stack, client.id, "application_received")

    shortlisted = await stack.http.post(
        f"/candidacies/{candidacy_id}/shortlist", headers=client.auth
    )
    assert shortlisted.status_code == 200, shortlisted.text
    assert shortlisted.json()["stage"] == "shortlisted"

    slot_id = await slot_days_ahead(stack, client, job["id"], days=2)
    requested = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests",
        json={"message": "Please read our product docs first"},
        headers=client.auth,
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]
    assert interview_id == f"interview-{job['id']}-{contractor.id}-r1"
    asked = await notified(stack, contractor.id, "interview_requested", emailed=True)
    assert "Please read our product docs first" in asked[0].body_text
    assert any(
        "Please read our product docs first" in str(m) for m in stack.mail.to(contractor.email)
    )

    visible = await stack.http.get(
        f"/job-posts/{job['id']}/rounds/1/slots", headers=contractor.auth
    )
    assert [s["id"] for s in visible.json()] == [slot_id]

    claimed = await stack.http.post(
        f"/interviews/{interview_id}/claim", json={"slot_id": slot_id}, headers=contractor.auth
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["slot_id"] == slot_id
    interview = await stack.http.get(f"/interviews/{interview_id}", headers=client.auth)
    assert interview.json()["status"] == "booked"

    early = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert early.status_code == 409
    assert "ended" in early.json()["detail"]

    await stack.env.sleep(timedelta(days=2, minutes=31))
    outcome = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert outcome.status_code == 200, outcome.text

    state = await wait_for_stage(stack, candidacy_id, client, "decision_pending")
    assert state["round"] == 1
    assert state["interviews"][0]["status"] == "completed"

    advanced = await decide(stack, client, candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    state = await wait_for_stage(stack, candidacy_id, client, "interviewing")
    assert state["round"] == 2

    async def listed() -> list[tuple[str, str, int]]:
        page = await stack.http.get(
            "/candidacies", params={"job_post_id": job["id"]}, headers=contractor.auth
        )
        return [(c["id"], c["stage"], c["round"]) for c in page.json()["items"]]

    # The list reads the database's projection, written just after the workflow moves on.
    await eventually(listed, lambda rows: rows == [(candidacy_id, "interviewing", 2)])
    # The interview ended at once; the thank-you nudge went out from a workflow of its own.
    unsent = stack.env.client.get_workflow_handle(unsent_workflow_id(interview_id))
    assert await unsent.result() == 1
    await notified(stack, contractor.id, "thank_interviewer_nudge")
    await record_history(stack.env.client, candidacy_id, "candidacy_round1_advance")
    await record_history(stack.env.client, interview_id, "interview_round1_completed")
    await record_history(stack.env.client, interview_id, "interview_notices_off_the_story")
    await record_history(stack.env.client, unsent.id, "deliveries_thank_you_nudge")


async def test_reject_with_feedback_tells_the_contractor(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    candidacy_id, interview_id = await shortlisted_with_request(
        stack, client, contractor, job["id"]
    )

    rejected = await stack.http.post(
        f"/candidacies/{candidacy_id}/reject",
        json={"feedback": "We need deeper Zendesk experience."},
        headers=client.auth,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["stage"] == "rejected"
    assert rejected.json()["feedback"] == "We need deeper Zendesk experience."

    told = await notified(stack, contractor.id, "candidacy_rejected", emailed=True)
    assert "We need deeper Zendesk experience." in told[0].body_text
    emails = [
        m for m in stack.mail.to(contractor.email) if "update on your application" in m["Subject"]
    ]
    assert len(emails) == 1
    assert "We need deeper Zendesk experience." in emails[0].get_body(("plain",)).get_content()

    again = await stack.http.post(
        f"/candidacies/{candidacy_id}/reject", json={}, headers=client.auth
    )
    assert again.status_code == 409
    # Rejection ends the round's interview too.
    handle = stack.env.client.get_workflow_handle(interview_id)
    await eventually(handle.describe, lambda d: d.status != WorkflowExecutionStatus.RUNNING)
    await record_history(stack.env.client, candidacy_id, "candidacy_rejected_while_interviewing")
    await record_history(stack.env.client, candidacy_id, "candidacy_patch_per_behaviour")
    await record_history(stack.env.client, interview_id, "interview_ended_by_the_rejection")


async def test_reject_without_feedback_sends_the_kind_default(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    candidacy_id = applied.json()["id"]

    rejected = await stack.http.post(
        f"/candidacies/{candidacy_id}/reject", json={}, headers=client.auth
    )
    assert rejected.status_code == 200, rejected.text
    told = await notified(stack, contractor.id, "candidacy_rejected", emailed=True)
    assert DEFAULT_REJECTION_FEEDBACK in told[0].body_text


async def test_applying_twice_answers_the_existing_candidacy(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)

    first = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    second = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    listed = await stack.http.get("/candidacies", headers=contractor.auth)
    assert listed.json()["total"] == 1
    # One application, one notification to the reviewer.
    await notified(stack, client.id, "application_received", count=1)


async def test_a_second_claim_of_the_same_slot_is_409(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    first, second = await stack.contractor(), await stack.contractor()
    _, first_interview = await shortlisted_with_request(stack, client, first, job["id"])
    _, second_interview = await shortlisted_with_request(stack, client, second, job["id"])
    slot_id = await slot_days_ahead(stack, client, job["id"], days=3)

    won = await stack.http.post(
        f"/interviews/{first_interview}/claim", json={"slot_id": slot_id}, headers=first.auth
    )
    lost = await stack.http.post(
        f"/interviews/{second_interview}/claim", json={"slot_id": slot_id}, headers=second.auth
    )
    assert won.status_code == 200, won.text
    assert lost.status_code == 409
    assert "taken" in lost.json()["detail"]
    state = await stack.http.get(f"/interviews/{second_interview}", headers=second.auth)
    assert state.json()["status"] == "awaiting_slot"

    other_slot = await slot_days_ahead(stack, client, job["id"], days=4)
    twice = await stack.http.post(
        f"/interviews/{first_interview}/claim", json={"slot_id": other_slot}, headers=first.auth
    )
    assert twice.status_code == 409
    assert "already booked" in twice.json()["detail"]
