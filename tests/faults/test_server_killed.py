"""The Temporal dev server is SIGKILLed in the middle of the hiring story and started again on the
same port and SQLite file, with the worker and the API left running. Every running candidacy,
interview and engagement carries on where it was, and the timers due after the restart fire.

A dev server runs in real time, so the timers chosen are seconds away: an open slot that expires
(it starts 2 h and a few seconds from now; its round's only waiting contractor then has no slot, so
the client is prompted to add times), and an engagement whose week-1 review window closes a few
seconds from now (the state a run carries over by continue-as-new; the week is then paid)."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.engagement import (
    EngagementState,
    EngagementStatus,
    TermsChange,
    WeekState,
    WeekStatus,
)
from domain.offers import Schedule, Weekday
from domain.slots import MIN_NOTICE
from domain.weeks import week
from store.models import LedgerEntry, Notification
from tests.carried_engagement import hired_state, ledger_rows, start_carried
from tests.faults.conftest import FaultOutcomes
from tests.helpers import eventually, notifications_of
from tests.process_stack import TEMPORAL, ProcessStack
from tests.scheduling import interview_state, invited, invites_eventually, slot_ids
from tests.stack import Actor, Stack

SLOT_EXPIRES_IN = timedelta(seconds=25)
REVIEW_CLOSES_IN = timedelta(seconds=15)
DOWN_SECONDS = 2.0
OUTAGE_READ_SECONDS = 10.0
AFTER_RESTART_SECONDS = 90.0  # a loaded machine runs a timer's work late
RATE = 4000
HOURS = Decimal("20")
BILLING_TZ = "UTC"


def engagement_with_review_closing(
    job_post_id: str, client: Actor, contractor_id: str, now: datetime
) -> EngagementState:
    """Signed 10 days ago, started 8 days ago: week 1 is over, its 20 hours submitted, and its
    review window closes REVIEW_CLOSES_IN from now."""
    start_date = (now - timedelta(days=8)).date()
    bounds = week(start_date, 1, BILLING_TZ, None)
    terms = Schedule(
        hourly_rate_cents=RATE,
        hours_per_week=Decimal("40"),
        working_days=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI],
    )
    signed_at = now - timedelta(days=10)
    return hired_state(
        job_post_id,
        client,
        contractor_id,
        billing_tz=BILLING_TZ,
        signed_at=signed_at,
        start_date=start_date,
        status=EngagementStatus.ACTIVE,
        terms_schedule=[TermsChange(from_week=1, terms=terms, requested_at=signed_at)],
        open_weeks=[
            WeekState(
                week=1,
                first_day=bounds.first_day,
                ends_at=bounds.ends_at,
                review_until=now + REVIEW_CLOSES_IN,
                status=WeekStatus.SUBMITTED,
                hours=HOURS,
                submitted_at=bounds.ends_at - timedelta(hours=6),
                scheduled_hours=terms.hours_per_week,
                hourly_rate_cents=RATE,
            )
        ],
        next_week_to_open=2,
        kickoff_reminded=True,
        training_reminded=True,
    )


async def _kinds(stack: Stack, user_id: str) -> list[str]:
    return [n.kind for n in await notifications_of(stack, user_id)]


async def _ledger(stack: Stack, engagement_id: str) -> list[LedgerEntry]:
    return await ledger_rows(stack.db, engagement_id)


async def _after_restart(probe: Any, check: Any) -> Any:
    return await eventually(probe, check, seconds=AFTER_RESTART_SECONDS)


async def _one(stack: Stack, user_id: str, kind: str) -> Notification:
    rows: list[Notification] = await _after_restart(
        lambda: notifications_of(stack, user_id, kind), lambda rows: len(rows) >= 1
    )
    assert len(rows) == 1, [r.event_key for r in rows]
    return rows[0]


async def test_a_dev_server_killed_mid_flow_and_restarted_loses_no_workflow_and_fires_its_timers(
    processes: ProcessStack, product: Stack, fault_outcomes: FaultOutcomes
) -> None:
    stack = product
    client = await stack.client_user(billing_tz=BILLING_TZ)
    job = await stack.job_post(client)

    # A candidacy: an application, waiting for the client's review.
    applicant = await stack.contractor()
    applied = await stack.http.post(
        f"/job-posts/{job['id']}/applications", json={}, headers=applicant.auth
    )
    assert applied.status_code == 201, applied.text
    candidacy_id = applied.json()["id"]

    # An interview: round 1 requested, its one open slot about to expire.
    interviewee, invited_id = await invited(stack, client, job)
    expiring_start = (datetime.now(UTC) + MIN_NOTICE + SLOT_EXPIRES_IN).replace(microsecond=0)
    (expiring_slot,) = await slot_ids(stack, client, job["id"], [expiring_start])
    requested = await stack.http.post(
        f"/candidacies/{invited_id}/interview-requests", json={}, headers=client.auth
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]

    # An engagement whose week-1 payout is due in a few seconds.
    hired = await stack.contractor(rate_cents=RATE)
    hired_job = await stack.job_post(client)
    engagement = engagement_with_review_closing(
        hired_job["id"], client, hired.id, datetime.now(UTC)
    )
    await start_carried(stack.env.client, processes.task_queue, engagement)

    # Killed while the workflows just started run their first activities.
    assert "slots_needed" not in await _kinds(stack, client.id), "the slot expired before the kill"
    assert not [r for r in await _ledger(stack, engagement.engagement_id) if r.kind == "payout"], (
        "the week was paid before the kill"
    )
    processes.kill(TEMPORAL)
    killed_at = datetime.now(UTC)
    down = time.monotonic()
    health = await stack.http.get("/health", timeout=OUTAGE_READ_SECONDS)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "degraded" and health.json()["database"] == "ok"
    live = await stack.http.get(
        f"/candidacies/{candidacy_id}", headers=client.auth, timeout=OUTAGE_READ_SECONDS
    )
    assert live.status_code == 503, live.text  # a live read asks the workflow: try again later
    assert live.json()["detail"]
    await asyncio.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down)))
    await processes.start_temporal()
    restarted = time.monotonic()
    assert processes.running("worker") and processes.running("api")

    # The candidacy carries on: its state is there and the next step works.
    state = await stack.http.get(f"/candidacies/{candidacy_id}", headers=client.auth)
    assert state.status_code == 200, state.text
    assert state.json()["stage"] == "applied"
    shortlisted = await stack.http.post(
        f"/candidacies/{candidacy_id}/shortlist", json={}, headers=client.auth
    )
    assert shortlisted.status_code == 200, shortlisted.text
    assert shortlisted.json()["stage"] == "shortlisted"
    await _one(stack, applicant.id, "shortlisted")
    await _one(stack, client.id, "application_received")

    # The interview carries on: still waiting; its slot's expiry timer fires after the restart.
    assert (await interview_state(stack, interviewee, interview_id))["status"] == "awaiting_slot"
    prompt = await _one(stack, client.id, "slots_needed")
    assert prompt.created_at.replace(tzinfo=UTC) > killed_at
    await _one(stack, interviewee.id, "interview_requested")
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    (fresh_slot,) = await slot_ids(stack, client, job["id"], [later])
    claimed = await stack.http.post(
        f"/interviews/{interview_id}/claim", json={"slot_id": fresh_slot}, headers=interviewee.auth
    )
    assert claimed.status_code == 200, claimed.text
    expired = await stack.http.post(
        f"/interviews/{interview_id}/claim",
        json={"slot_id": expiring_slot},
        headers=interviewee.auth,
    )
    assert expired.status_code == 409, expired.text
    await invites_eventually(stack, interviewee.email, 1)

    # The engagement carries on: its review timer fires and week 1 is paid, once.
    rows = await _after_restart(
        lambda: _ledger(stack, engagement.engagement_id),
        lambda rows: any(r.kind == "payout" for r in rows),
    )
    payouts = [r for r in rows if r.kind == "payout"]
    assert [(r.period, r.amount_cents) for r in payouts] == [("week-1", int(HOURS) * RATE)]
    assert payouts[0].created_at.replace(tzinfo=UTC) > killed_at
    assert len({r.idempotency_key for r in rows}) == len(rows)
    await _one(stack, hired.id, "payout_released")
    shown = await _after_restart(
        lambda: stack.http.get(f"/engagements/{engagement.engagement_id}", headers=client.auth),
        lambda response: (
            response.status_code == 200 and response.json()["weeks"][0]["status"] == "paid"
        ),
    )
    assert shown.json()["status"] == "active"
    settled_in = time.monotonic() - restarted

    fault_outcomes.add(
        "Temporal dev server SIGKILLed mid flow",
        f"killed as an application, an interview request (slot expiring in "
        f"{SLOT_EXPIRES_IN.seconds} s) and an engagement (payout due in "
        f"{REVIEW_CLOSES_IN.seconds} s) started; restarted on its port and file after "
        f"{DOWN_SECONDS:.0f} s",
        "candidacy shortlisted; slot expiry prompted the client; new slot claimed, invite "
        "emailed; week 1 paid once; every notification once; worker and API never restarted; "
        f"settled in {settled_in:.0f} s; while down: /health degraded, a live read 503",
    )
