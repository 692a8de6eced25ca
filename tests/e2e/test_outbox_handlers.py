"""Handlers answer from the workflow's state: with the mail server accepting connections and never
answering, every update of the candidacy, offer and engagement stories answers 200 within 2 s;
once the mail server is back, each recipient gets exactly one email per notice, and a workflow
that has ended completes only after its outbox is sent."""

from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus

from domain.proration import billing_date
from tests.helpers import eventually, record_history, wait_for_stage
from tests.offer_stage import candidacy_at_offer, offer_terms
from tests.outage import answered_in_time, emailed_once_each, mail_silent
from tests.stack import Stack


async def _status(stack: Stack, workflow_id: str) -> WorkflowExecutionStatus | None:
    return (await stack.env.client.get_workflow_handle(workflow_id).describe()).status


async def test_shortlist_and_withdraw_answer_while_the_mail_server_is_silent(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    contractor = await stack.contractor()
    async with mail_silent(stack):
        applied = await answered_in_time(
            stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
        )
        assert applied.status_code == 201, applied.text
        candidacy_id = applied.json()["id"]
        shortlisted = await answered_in_time(
            stack.http.post(f"/candidacies/{candidacy_id}/shortlist", headers=client.auth)
        )
        assert (shortlisted.status_code, shortlisted.json()["stage"]) == (200, "shortlisted")
        listed = await stack.http.get(f"/job-posts/{job['id']}/candidates", headers=client.auth)
        assert listed.status_code == 200
        withdrawn = await answered_in_time(
            stack.http.post(
                f"/candidacies/{candidacy_id}/withdraw",
                json={"reason": "Took another role"},
                headers=contractor.auth,
            )
        )
        assert (withdrawn.status_code, withdrawn.json()["stage"]) == (200, "withdrawn")
        # Ended, but its notices are unsent: the run waits for them.
        assert await _status(stack, candidacy_id) == WorkflowExecutionStatus.RUNNING

    await emailed_once_each(
        stack,
        {
            "owner": (client, ["candidacy_withdrawn"]),
            "contractor": (contractor, ["shortlisted"]),
        },
    )
    await eventually(
        lambda: _status(stack, candidacy_id),
        lambda status: status == WorkflowExecutionStatus.COMPLETED,
        seconds=30,
    )
    await record_history(stack.env.client, candidacy_id, "candidacy_shortlisted_withdrawn")


async def test_offer_counter_revise_and_accept_answer_while_the_mail_server_is_silent(
    stack: Stack,
) -> None:
    at = await candidacy_at_offer(stack)
    today = billing_date(await stack.env.get_current_time(), "UTC")
    async with mail_silent(stack):
        sent = await answered_in_time(
            stack.http.post(
                f"/candidacies/{at.candidacy_id}/offers",
                json=offer_terms(today + timedelta(days=14)),
                headers=at.client.auth,
            )
        )
        assert sent.status_code == 201, sent.text
        countered = await answered_in_time(
            stack.http.post(
                f"/offers/{at.offer_id}/counter",
                json={"version": 1, "hourly_rate_cents": 4500, "hours_per_week": 25},
                headers=at.contractor.auth,
            )
        )
        assert (countered.status_code, countered.json()["status"]) == (200, "countered")
        revised = await answered_in_time(
            stack.http.post(
                f"/offers/{at.offer_id}/revise",
                json=offer_terms(today + timedelta(days=10), hourly_rate_cents=4500),
                headers=at.client.auth,
            )
        )
        assert (revised.status_code, revised.json()["version"]) == (200, 2)
        accepted = await answered_in_time(
            stack.http.post(
                f"/offers/{at.offer_id}/accept", json={"version": 2}, headers=at.contractor.auth
            )
        )
        assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
        assert await _status(stack, at.offer_id) == WorkflowExecutionStatus.RUNNING

    await emailed_once_each(
        stack,
        {
            "owner": (at.client, ["offer_countered", "offer_accepted", "kickoff_reminder"]),
            "contractor": (at.contractor, ["offer_received", "contract_signed"]),
        },
    )
    await wait_for_stage(stack, at.candidacy_id, at.client, "hired")
    await eventually(
        lambda: _status(stack, at.offer_id),
        lambda status: status == WorkflowExecutionStatus.COMPLETED,
        seconds=30,
    )
    await record_history(stack.env.client, at.offer_id, "offer_countered_revised_mail_silent")


async def test_timesheet_dispute_terms_and_end_answer_while_the_mail_server_is_silent(
    stack: Stack,
) -> None:
    at = await candidacy_at_offer(stack)
    now = await stack.env.get_current_time()
    start_date = billing_date(now, "UTC") + timedelta(days=1)
    sent = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(start_date),
        headers=at.client.auth,
    )
    assert sent.status_code == 201, sent.text
    accepted = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 1}, headers=at.contractor.auth
    )
    assert accepted.status_code == 200, accepted.text
    # Into week 1 (it starts at midnight UTC on the start date).
    await stack.env.sleep(
        now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1, hours=10) - now
    )
    engagement = f"/engagements/{at.engagement_id}"
    async with mail_silent(stack):
        submitted = await answered_in_time(
            stack.http.post(
                f"{engagement}/timesheets",
                json={"week": 1, "hours": 12},
                headers=at.contractor.auth,
            )
        )
        assert submitted.status_code == 200, submitted.text
        disputed = await answered_in_time(
            stack.http.post(
                f"{engagement}/timesheets/1/dispute",
                json={"corrected_hours": 10, "reason": "Friday was off"},
                headers=at.client.auth,
            )
        )
        assert disputed.status_code == 200, disputed.text
        changed = await answered_in_time(
            stack.http.post(
                f"{engagement}/terms", json={"hourly_rate_cents": 4200}, headers=at.client.auth
            )
        )
        assert (changed.status_code, changed.json()["from_week"]) == (200, 2)
        ended = await answered_in_time(
            stack.http.post(f"{engagement}/end", json={"reason": "Done"}, headers=at.client.auth)
        )
        assert (ended.status_code, ended.json()["status"]) == (200, "ended")

    await emailed_once_each(
        stack,
        {
            "owner": (at.client, ["timesheet_submitted"]),
            "contractor": (
                at.contractor,
                ["timesheet_disputed", "terms_changed", "engagement_ended"],
            ),
        },
    )
    await record_history(stack.env.client, at.engagement_id, "engagement_disputed_terms_ended")
