"""Take-home assessments (PRODUCT.md, "Take-home assessment"): sent when the round starts, due in
N days (default 3), a reminder 24 h before the due date, submitted as a link or text; overdue, the
client is told and extends, advances anyway or rejects; the interview is booked only after it."""

from datetime import datetime, timedelta
from typing import Any

from tests.helpers import skip_to, wait_for_stage
from tests.scheduling import (
    claim,
    decide,
    exactly,
    interview_state,
    invited,
    now_of,
    request_interview,
    slot_ids,
)
from tests.stack import Actor, Stack

INSTRUCTIONS = "Write a triage plan for our support inbox and share it as a document."


async def _take_home_round(stack: Stack, due_days: int | None = None) -> dict[str, Any]:
    client = await stack.client_user()
    assessment: dict[str, Any] = {"instructions": INSTRUCTIONS}
    if due_days is not None:
        assessment["due_days"] = due_days
    plan = [
        {"kind": "technical", "duration_minutes": 60, "assessment": assessment},
        {"kind": "final", "duration_minutes": 45},
    ]
    job = await stack.job_post(client, interview_plan=plan)
    contractor, candidacy_id = await invited(stack, client, job)
    requested_at = await now_of(stack)
    interview_id = await request_interview(stack, client, candidacy_id, "Welcome aboard")
    return {
        "client": client,
        "contractor": contractor,
        "job": job,
        "candidacy_id": candidacy_id,
        "interview_id": interview_id,
        "requested_at": requested_at,
    }


def _due(state: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(state["assessment"]["due_at"])


async def _submit(stack: Stack, who: Actor, candidacy_id: str, body: dict[str, Any]) -> Any:
    return await stack.http.post(
        f"/candidacies/{candidacy_id}/assessment/submission", json=body, headers=who.auth
    )


async def _extend(stack: Stack, who: Actor, candidacy_id: str, body: dict[str, Any]) -> Any:
    return await stack.http.post(
        f"/candidacies/{candidacy_id}/assessment/extension", json=body, headers=who.auth
    )


async def test_assessment_due_in_3_days_by_default_reminded_24_hours_before(
    stack: Stack,
) -> None:
    r = await _take_home_round(stack)
    client, contractor = r["client"], r["contractor"]
    await exactly(stack, contractor.id, "assessment_assigned", 1)
    state = await interview_state(stack, contractor, r["interview_id"])
    assert state["status"] == "awaiting_assessment"
    due = _due(state)
    assert timedelta(days=3) <= due - r["requested_at"] < timedelta(days=3, seconds=30)

    await skip_to(stack, due - timedelta(hours=24, minutes=1))
    await exactly(stack, contractor.id, "assessment_reminder", 0)
    await skip_to(stack, due - timedelta(hours=23, minutes=59))
    await exactly(stack, contractor.id, "assessment_reminder", 1)
    await exactly(stack, contractor.id, "interview_requested", 0)  # not bookable yet

    start = await now_of(stack) + timedelta(days=2)
    [slot_id] = await slot_ids(stack, client, r["job"]["id"], [start], minutes=60)
    early = await claim(stack, contractor, r["interview_id"], slot_id)
    assert early.status_code == 409
    assert "assessment must be submitted" in early.json()["detail"]

    empty = await _submit(stack, contractor, r["candidacy_id"], {})
    assert empty.status_code == 422
    not_theirs = await _submit(stack, client, r["candidacy_id"], {"text": "done"})
    assert not_theirs.status_code == 404
    submitted = await _submit(
        stack, contractor, r["candidacy_id"], {"link": "https://docs.example.com/triage-plan"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "awaiting_slot"
    assert submitted.json()["assessment"]["late"] is False
    await exactly(stack, client.id, "assessment_submitted", 1)
    await exactly(stack, contractor.id, "interview_requested", 1)
    booked = await claim(stack, contractor, r["interview_id"], slot_id)
    assert booked.status_code == 200, booked.text
    again = await _submit(stack, contractor, r["candidacy_id"], {"text": "v2"})
    assert again.status_code == 409


async def test_overdue_assessment_tells_the_client_who_extends_the_due_date(
    stack: Stack,
) -> None:
    r = await _take_home_round(stack, due_days=5)
    client, contractor = r["client"], r["contractor"]
    due = _due(await interview_state(stack, client, r["interview_id"]))
    assert timedelta(days=5) <= due - r["requested_at"] < timedelta(days=5, seconds=30)

    await skip_to(stack, due - timedelta(minutes=1))
    await exactly(stack, client.id, "assessment_overdue", 0)
    await skip_to(stack, due + timedelta(minutes=1))
    await exactly(stack, client.id, "assessment_overdue", 1)
    await exactly(stack, contractor.id, "assessment_overdue", 0)
    state = await interview_state(stack, client, r["interview_id"])
    assert state["status"] == "assessment_overdue"

    past = await _extend(
        stack, client, r["candidacy_id"], {"due_at": (due - timedelta(days=1)).isoformat()}
    )
    assert past.status_code == 422 and "future" in past.json()["detail"]
    both = await _extend(
        stack,
        client,
        r["candidacy_id"],
        {"due_at": (due + timedelta(days=1)).isoformat(), "extra_days": 1},
    )
    assert both.status_code == 422
    by_contractor = await _extend(stack, contractor, r["candidacy_id"], {"extra_days": 2})
    assert by_contractor.status_code == 404

    extended = await _extend(stack, client, r["candidacy_id"], {"extra_days": 2})
    assert extended.status_code == 200, extended.text
    new_due = _due(extended.json())
    assert new_due == due + timedelta(days=2)
    assert extended.json()["status"] == "awaiting_assessment"
    await exactly(stack, contractor.id, "assessment_extended", 1)

    # The reminder follows the new date: 24 h before it.
    await exactly(stack, contractor.id, "assessment_reminder", 1)
    await skip_to(stack, new_due - timedelta(hours=24, minutes=1))
    await exactly(stack, contractor.id, "assessment_reminder", 1)
    await skip_to(stack, new_due - timedelta(hours=23, minutes=59))
    await exactly(stack, contractor.id, "assessment_reminder", 2)

    exact = new_due + timedelta(days=3)
    moved = await _extend(stack, client, r["candidacy_id"], {"due_at": exact.isoformat()})
    assert moved.status_code == 200 and _due(moved.json()) == exact
    await skip_to(stack, new_due + timedelta(hours=1))
    await exactly(stack, client.id, "assessment_overdue", 1)  # the old date no longer counts
    await skip_to(stack, exact + timedelta(minutes=1))
    await exactly(stack, client.id, "assessment_overdue", 2)

    late = await _submit(stack, contractor, r["candidacy_id"], {"text": "Here is my plan."})
    assert late.status_code == 200, late.text
    assert late.json()["assessment"]["late"] is True
    assert late.json()["status"] == "awaiting_slot"


async def test_overdue_assessment_client_advances_anyway_and_the_interview_is_bookable(
    stack: Stack,
) -> None:
    r = await _take_home_round(stack, due_days=1)
    client, contractor = r["client"], r["contractor"]
    advance_too_early = await decide(stack, client, r["candidacy_id"], "advance")
    assert advance_too_early.status_code == 409  # not overdue: nothing to decide yet
    due = _due(await interview_state(stack, client, r["interview_id"]))
    await exactly(stack, contractor.id, "assessment_reminder", 0)  # 24 h before was the start
    await skip_to(stack, due + timedelta(minutes=1))
    await exactly(stack, client.id, "assessment_overdue", 1)
    state = await wait_for_stage(stack, r["candidacy_id"], client, "interviewing")
    assert state["interviews"][-1]["status"] == "assessment_overdue"

    hold = await decide(stack, client, r["candidacy_id"], "hold")
    assert hold.status_code == 409
    advanced = await decide(stack, client, r["candidacy_id"], "advance")
    assert advanced.status_code == 200, advanced.text
    await exactly(stack, contractor.id, "interview_requested", 1)
    state = await interview_state(stack, client, r["interview_id"])
    assert state["status"] == "awaiting_slot" and state["assessment"]["waived"] is True
    start = await now_of(stack) + timedelta(days=1)
    [slot_id] = await slot_ids(stack, client, r["job"]["id"], [start], minutes=60)
    booked = await claim(stack, contractor, r["interview_id"], slot_id)
    assert booked.status_code == 200, booked.text
    state = await wait_for_stage(stack, r["candidacy_id"], client, "interviewing")
    assert state["round"] == 1


async def test_overdue_assessment_client_rejects(stack: Stack) -> None:
    r = await _take_home_round(stack, due_days=2)
    client, contractor = r["client"], r["contractor"]
    due = _due(await interview_state(stack, client, r["interview_id"]))
    await skip_to(stack, due + timedelta(minutes=1))
    await exactly(stack, client.id, "assessment_overdue", 1)
    await wait_for_stage(stack, r["candidacy_id"], client, "interviewing")
    rejected = await decide(
        stack, client, r["candidacy_id"], "reject", "We needed the take-home to go further."
    )
    assert rejected.status_code == 200, rejected.text
    state = await wait_for_stage(stack, r["candidacy_id"], client, "rejected")
    assert state["feedback"] == "We needed the take-home to go further."
    await exactly(stack, contractor.id, "candidacy_rejected", 1)
    gone = await _submit(stack, contractor, r["candidacy_id"], {"text": "late"})
    assert gone.status_code == 409
