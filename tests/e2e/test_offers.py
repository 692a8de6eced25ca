"""Offers end to end through the API, with the real worker on the time-skipping server: expiry at 7
days with a reminder at day 5; counter, revise, accept (only the latest version); decline with a
reason; withdrawal; who may do what."""

from datetime import datetime, timedelta
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from domain.proration import billing_date
from tests.helpers import eventually, notifications_of, notified, record_history, wait_for_stage
from tests.offer_stage import AtOffer, candidacy_at_offer, offer_terms
from tests.stack import Actor, Stack


async def _today(stack: Stack) -> datetime:
    return await stack.env.get_current_time()


async def _send(stack: Stack, at: AtOffer, days_ahead: int = 14, **changes: object) -> dict:
    now = await _today(stack)
    start_date = billing_date(now, "UTC") + timedelta(days=days_ahead)
    sent = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(start_date, **changes),
        headers=at.client.auth,
    )
    assert sent.status_code == 201, sent.text
    return dict(sent.json())


async def _subjects(stack: Stack, address: str) -> list[str]:
    return [str(m["Subject"]) for m in stack.mail.to(address)]


async def _offer(stack: Stack, at: AtOffer) -> dict:
    response = await stack.http.get(f"/offers/{at.offer_id}", headers=at.contractor.auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_offer_expires_after_7_days_with_a_reminder_at_day_5(stack: Stack) -> None:
    at = await candidacy_at_offer(stack)
    offer = await _send(stack, at)
    sent_at = datetime.fromisoformat(offer["versions"][0]["sent_at"])
    assert offer["status"] == "open" and offer["version"] == 1
    assert datetime.fromisoformat(offer["versions"][0]["expires_at"]) == sent_at + timedelta(days=7)
    told = await notified(stack, at.contractor.id, "offer_received")
    assert "$40.00 per hour" in told[0].body_text
    await eventually(
        lambda: _subjects(stack, at.contractor.email),
        lambda subjects: any("You have an offer" in s for s in subjects),
    )

    await stack.env.sleep(sent_at + timedelta(days=5) - timedelta(minutes=1) - await _today(stack))
    assert await notifications_of(stack, at.contractor.id, "offer_reminder") == []
    await stack.env.sleep(timedelta(minutes=2))
    reminder = await notified(stack, at.contractor.id, "offer_reminder")
    assert "expires on" in reminder[0].body_text
    assert (await _offer(stack, at))["status"] == "open"

    await stack.env.sleep(sent_at + timedelta(days=7, minutes=1) - await _today(stack))
    offer = await eventually(lambda: _offer(stack, at), lambda o: o["status"] == "expired")
    assert datetime.fromisoformat(offer["answered_at"]) == sent_at + timedelta(days=7)
    await wait_for_stage(stack, at.candidacy_id, at.client, "offer_expired")
    await notified(stack, at.contractor.id, "offer_expired")
    await notified(stack, at.client.id, "offer_expired")
    # One reminder, whatever else happened.
    await notified(stack, at.contractor.id, "offer_reminder", count=1)

    late = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 1}, headers=at.contractor.auth
    )
    assert late.status_code == 409
    await record_history(stack.env.client, at.offer_id, "offer_expired")
    await record_history(stack.env.client, at.candidacy_id, "candidacy_offer_expired")


async def test_counter_then_revise_then_accept_the_latest_version_only(stack: Stack) -> None:
    at = await candidacy_at_offer(stack, billing_tz="America/New_York")
    await _send(stack, at)

    countered = await stack.http.post(
        f"/offers/{at.offer_id}/counter",
        json={"version": 1, "hourly_rate_cents": 4500, "hours_per_week": 25, "message": "25 h?"},
        headers=at.contractor.auth,
    )
    assert countered.status_code == 200, countered.text
    assert countered.json()["status"] == "countered"
    assert countered.json()["counters"][0]["hourly_rate_cents"] == 4500
    told = await notified(stack, at.client.id, "offer_countered")
    assert "$45.00 per hour, 25 hours a week" in told[0].body_text
    twice = await stack.http.post(
        f"/offers/{at.offer_id}/counter",
        json={"version": 1, "hourly_rate_cents": 4600, "hours_per_week": 25},
        headers=at.contractor.auth,
    )
    assert twice.status_code == 409

    today = billing_date(await _today(stack), "America/New_York")
    revised_terms = offer_terms(
        today + timedelta(days=10), hourly_rate_cents=4500, hours_per_week=25.5, message="Deal"
    )
    revised = await stack.http.post(
        f"/offers/{at.offer_id}/revise", json=revised_terms, headers=at.client.auth
    )
    assert revised.status_code == 200, revised.text
    assert (revised.json()["status"], revised.json()["version"]) == ("open", 2)

    stale = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 1}, headers=at.contractor.auth
    )
    assert stale.status_code == 409
    assert "only the latest, version 2" in stale.json()["detail"]
    by_client = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 2}, headers=at.client.auth
    )
    assert by_client.status_code == 403

    accepted = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 2}, headers=at.contractor.auth
    )
    assert accepted.status_code == 200, accepted.text
    offer = accepted.json()
    signed_at = await _today(stack)
    assert offer["status"] == "accepted"
    assert offer["engagement_id"] == at.engagement_id
    signature = offer["signature"]
    assert signature["version"] == 2 and signature["signed_by"] == at.contractor.id
    assert abs(datetime.fromisoformat(signature["signed_at"]) - signed_at) < timedelta(minutes=1)
    assert {k: signature["terms"][k] for k in revised_terms} == revised_terms
    assert len(signature["digest"]) == 64

    await wait_for_stage(stack, at.candidacy_id, at.client, "hired")
    again = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 2}, headers=at.contractor.auth
    )
    assert again.status_code == 409
    assert "already answered" in again.json()["detail"]
    declined = await stack.http.post(
        f"/offers/{at.offer_id}/decline", json={"reason": "no"}, headers=at.contractor.auth
    )
    assert declined.status_code == 409

    engagement = await stack.http.get(f"/engagements/{at.engagement_id}", headers=at.client.auth)
    assert engagement.status_code == 200, engagement.text
    assert engagement.json()["terms"]["hourly_rate_cents"] == 4500
    assert engagement.json()["terms"]["hours_per_week"] == 25.5
    assert engagement.json()["contract"]["version"] == 2
    assert engagement.json()["contract"]["signature"] == signature["digest"]
    await notified(stack, at.client.id, "offer_accepted")
    await notified(stack, at.contractor.id, "contract_signed")
    await notified(stack, at.client.id, "kickoff_reminder")
    ledger = await eventually(
        lambda: stack.http.get(
            "/ledger", params={"engagement_id": at.engagement_id}, headers=at.client.auth
        ),
        lambda r: r.json()["total"] == 1,
    )
    assert ledger.json()["items"][0]["kind"] == "seat_fee"
    assert ledger.json()["items"][0]["effective_on"] == today.isoformat()

    handle = stack.env.client.get_workflow_handle(at.offer_id)
    # It completes once its last notice is sent, a moment after the answers above.
    await eventually(handle.describe, lambda d: d.status == WorkflowExecutionStatus.COMPLETED)
    await record_history(stack.env.client, at.offer_id, "offer_countered_revised_accepted")
    await record_history(stack.env.client, at.candidacy_id, "candidacy_hired")


async def _ended(
    stack: Stack, at: AtOffer, action: str, reason: str, by: Actor, other_side: Actor
) -> dict[str, Any]:
    """The offer once `by` has ended it (`decline` or `withdraw`) with `reason`, which the other
    side is told in the notice of it."""
    ended = await stack.http.post(
        f"/offers/{at.offer_id}/{action}", json={"reason": reason}, headers=by.auth
    )
    assert ended.status_code == 200, ended.text
    told = await notified(stack, other_side.id, f"offer_{ended.json()['status']}")
    assert reason in told[0].body_text
    return dict(ended.json())


async def test_decline_with_reason_tells_the_client_and_ends_the_candidacy(stack: Stack) -> None:
    at = await candidacy_at_offer(stack)
    await _send(stack, at)
    no_reason = await stack.http.post(
        f"/offers/{at.offer_id}/decline", json={}, headers=at.contractor.auth
    )
    assert no_reason.status_code == 422

    reason = "I took another engagement."
    declined = await _ended(stack, at, "decline", reason, at.contractor, at.client)
    assert declined["status"] == "declined"
    assert declined["decline_reason"] == reason
    await wait_for_stage(stack, at.candidacy_id, at.client, "offer_declined")

    again = await stack.http.post(
        f"/offers/{at.offer_id}/decline", json={"reason": "twice"}, headers=at.contractor.auth
    )
    assert again.status_code == 409
    revise = await stack.http.post(
        f"/offers/{at.offer_id}/revise",
        json=offer_terms(billing_date(await _today(stack), "UTC") + timedelta(days=3)),
        headers=at.client.auth,
    )
    assert revise.status_code == 409
    await record_history(stack.env.client, at.offer_id, "offer_declined")


async def test_an_offer_needs_the_offer_stage_a_valid_start_and_its_parties(stack: Stack) -> None:
    at = await candidacy_at_offer(stack)
    today = billing_date(await _today(stack), "UTC")

    past = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(today - timedelta(days=1)),
        headers=at.client.auth,
    )
    assert past.status_code == 422
    assert "in the past" in past.json()["detail"]
    bad_days = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(today, working_days=["mon", "mon"], hours_per_week=81),
        headers=at.client.auth,
    )
    assert bad_days.status_code == 422

    stranger = await stack.client_user()
    foreign = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(today),
        headers=stranger.auth,
    )
    assert foreign.status_code == 404

    early_contractor = await stack.contractor()
    applied = await stack.http.post(
        f"/job-posts/{at.job['id']}/applications", headers=early_contractor.auth
    )
    too_early = await stack.http.post(
        f"/candidacies/{applied.json()['id']}/offers",
        json=offer_terms(today),
        headers=at.client.auth,
    )
    assert too_early.status_code == 409
    assert "applied" in too_early.json()["detail"]

    await _send(stack, at)
    duplicate = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers", json=offer_terms(today), headers=at.client.auth
    )
    assert duplicate.status_code == 409
    other_contractor = await stack.contractor()
    hidden = await stack.http.get(f"/offers/{at.offer_id}", headers=other_contractor.auth)
    assert hidden.status_code == 404
    assert (
        await stack.http.get(f"/offers/{at.offer_id}", headers=stranger.auth)
    ).status_code == 404


async def test_a_withdrawn_offer_leaves_the_candidacy_at_offer_for_a_new_one(stack: Stack) -> None:
    at = await candidacy_at_offer(stack)
    await _send(stack, at)
    by_contractor = await stack.http.post(
        f"/offers/{at.offer_id}/withdraw", json={}, headers=at.contractor.auth
    )
    assert by_contractor.status_code == 403
    withdrawn = await _ended(stack, at, "withdraw", "Budget frozen", at.client, at.contractor)
    assert withdrawn["status"] == "withdrawn"
    state = await stack.http.get(f"/candidacies/{at.candidacy_id}", headers=at.client.auth)
    assert state.json()["stage"] == "offer"

    again = await _send(stack, at, hourly_rate_cents=3800)
    assert (again["status"], again["version"]) == ("open", 1)
    assert again["versions"][0]["terms"]["hourly_rate_cents"] == 3800
    await notified(stack, at.contractor.id, "offer_received", count=2)
