"""A claim made the moment a 200 allows it gets a booking that runs its course: claimed at the
first `awaiting_slot`, or right after a cancellation's answer, the booking still gets its 1 h
reminder by mail, reaches its end, and takes the outcome; the candidacy shows the round booked,
then a decision due as soon as the outcome is answered."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowHistory

from tests.helpers import eventually, record_history, skip_to
from tests.scheduling import (
    booked,
    decide,
    interview_state,
    invited,
    now_of,
    request_interview,
    slot_ids,
)
from tests.stack import Actor, Stack
from workflows.interview import CLAIM_WHILE_WAITING_PATCH

TRIES = 10  # the claim races the interview's own steps: several tries make the race likely
MINUTES = 15
ONE_ROUND = [{"kind": "screening", "duration_minutes": MINUTES}]


@dataclass
class Claimed:
    client: Actor
    contractor: Actor
    candidacy_id: str
    interview_id: str
    start: datetime  # of the booking that stands

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=MINUTES)


Requested = tuple[Actor, Actor, str, str, list[str], datetime]


async def _requested(stack: Stack, slots: int) -> Requested:
    """Round 1 requested, with `slots` open slots an hour apart from 3 h ahead."""
    client = await stack.client_user()
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    contractor, candidacy_id = await invited(stack, client, job)
    start = (await now_of(stack) + timedelta(hours=3)).replace(second=0, microsecond=0)
    starts = [start + timedelta(hours=n) for n in range(slots)]
    ids = await slot_ids(stack, client, job["id"], starts, MINUTES)
    interview_id = await request_interview(stack, client, candidacy_id)
    return client, contractor, candidacy_id, interview_id, ids, start


async def _claimed_at_first_awaiting_slot(stack: Stack) -> Claimed:
    """Claimed the moment the contractor hears of the request (the round is then being
    announced as waiting for a slot)."""
    client, contractor, candidacy_id, interview_id, [slot_id], start = await _requested(stack, 1)
    await eventually(lambda: _listed(stack.mail.to(contractor.email)), bool, seconds=30)
    assert (await interview_state(stack, contractor, interview_id))["status"] == "awaiting_slot"
    await booked(stack, contractor, interview_id, slot_id)
    return Claimed(client, contractor, candidacy_id, interview_id, start)


async def _claimed_right_after_a_cancel(stack: Stack) -> Claimed:
    client, contractor, candidacy_id, interview_id, [first, second], start = await _requested(
        stack, 2
    )
    await booked(stack, contractor, interview_id, first)
    cancelled = await stack.http.post(
        f"/interviews/{interview_id}/cancel",
        json={"reason": "A clash came up"},
        headers=contractor.auth,
    )
    assert cancelled.status_code == 200, cancelled.text
    await booked(stack, contractor, interview_id, second)
    return Claimed(client, contractor, candidacy_id, interview_id, start + timedelta(hours=1))


async def _round_status(stack: Stack, claimed: Claimed) -> str:
    response = await stack.http.get(
        f"/candidacies/{claimed.candidacy_id}", headers=claimed.client.auth
    )
    return str(response.json()["interviews"][-1]["status"])


def _one_hour_reminders(stack: Stack, claimed: Claimed) -> list[str]:
    subjects = [str(m["Subject"]) for m in stack.mail.to(claimed.contractor.email)]
    return [s for s in subjects if s.startswith("Reminder: interview in 1 hour")]


async def _runs_its_course(stack: Stack, all_claimed: list[Claimed]) -> None:
    """Each booking is shown booked, reminds 1 h before, ends, and takes the outcome: the
    decision is then due at once."""
    for claimed in all_claimed:
        assert await _round_status(stack, claimed) == "booked"
    await skip_to(stack, max(c.start for c in all_claimed) - timedelta(minutes=59))
    for claimed in all_claimed:
        await eventually(lambda c=claimed: _listed(_one_hour_reminders(stack, c)), bool)
    await skip_to(stack, max(c.end for c in all_claimed) + timedelta(minutes=5))
    for claimed in all_claimed:
        outcome = await stack.http.post(
            f"/interviews/{claimed.interview_id}/outcome",
            json={"outcome": "completed"},
            headers=claimed.client.auth,
        )
        assert outcome.status_code == 200, outcome.text
        decided = await decide(stack, claimed.client, claimed.candidacy_id, "advance")
        assert decided.status_code == 200, decided.text
        assert decided.json()["stage"] == "offer"
        assert len(_one_hour_reminders(stack, claimed)) == 1


async def _listed(items: list[str]) -> list[str]:
    return items


async def _recorded(client: Client, all_claimed: list[Claimed], name: str) -> None:
    """Keep the history of a try whose claim landed while the round was announced as waiting
    (the first one when none did)."""
    chosen = all_claimed[0].interview_id
    for claimed in all_claimed:
        history = await client.get_workflow_handle(claimed.interview_id).fetch_history()
        if _took(history, CLAIM_WHILE_WAITING_PATCH):
            chosen = claimed.interview_id
            break
    await record_history(client, chosen, name)


def _took(history: WorkflowHistory, patch_id: str) -> bool:
    return any(
        patch_id.encode() in payload.data
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
        for payloads in event.marker_recorded_event_attributes.details.values()
        for payload in payloads.payloads
    )


async def test_a_claim_at_the_first_awaiting_slot_gets_its_reminder_end_and_outcome(
    stack: Stack,
) -> None:
    tries = await asyncio.gather(*(_claimed_at_first_awaiting_slot(stack) for _ in range(TRIES)))
    await _runs_its_course(stack, list(tries))
    await _recorded(stack.env.client, list(tries), "interview_claimed_at_first_awaiting_slot")


async def test_a_claim_right_after_a_cancellation_gets_its_reminder_end_and_outcome(
    stack: Stack,
) -> None:
    tries = await asyncio.gather(*(_claimed_right_after_a_cancel(stack) for _ in range(TRIES)))
    await _runs_its_course(stack, list(tries))
    await _recorded(stack.env.client, list(tries), "interview_cancelled_then_claimed_at_once")
