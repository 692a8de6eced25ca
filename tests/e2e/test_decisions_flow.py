"""Decisions after a round, end to end through the HTTP API on the time-skipping server: the
decision clock (client reminders at 3 and 5 business days and every business day after, the
contractor's "still under review" at 5) in the client's time zone, stopped the moment a decision
lands; a hold shown while the clock keeps running; no decision once the candidacy ended."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from temporalio.api.sdk.v1 import WorkflowMetadata

from domain.business_days import add_business_days
from domain.feedback import DEFAULT_REJECTION_FEEDBACK
from tests.helpers import notifications_of, notified, record_history, skip_to, wait_for_stage
from tests.rounds import FRIDAY, decision_due, next_weekday_at
from tests.scheduling import decide, invited
from tests.stack import Stack

NEW_YORK = "America/New_York"
FRIDAY_EVENING = time(17, 30)  # a 30-minute interview ending at 18:00


def _close(created_at: datetime, moment: datetime) -> bool:
    """A notification is dated by the workflow time of its timer: the moment, or milliseconds
    after it."""
    return moment <= created_at < moment + timedelta(seconds=5)


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(NEW_YORK)).strftime("%a %H:%M")


async def _friday_evening_interview(stack: Stack) -> datetime:
    return await next_weekday_at(stack, NEW_YORK, FRIDAY, FRIDAY_EVENING)


async def test_decision_reminders_at_3_and_5_business_days_then_daily_with_still_under_review_at_5(
    stack: Stack,
) -> None:
    due = await decision_due(stack, NEW_YORK, await _friday_evening_interview(stack))
    assert _local(due.end) == "Fri 18:00"
    third = add_business_days(due.end, 3, NEW_YORK)
    fifth = add_business_days(due.end, 5, NEW_YORK)

    view = await stack.http.get(f"/candidacies/{due.candidacy_id}", headers=due.contractor.auth)
    assert view.status_code == 200
    assert datetime.fromisoformat(view.json()["next_update_by"]) == fifth
    assert "3 to 5 business days" in view.json()["status_text"]
    assert view.json()["interviews"][0]["end"] is not None

    await skip_to(stack, third - timedelta(minutes=1))
    assert await notifications_of(stack, due.client.id, "decision_reminder") == []

    await skip_to(stack, third + timedelta(minutes=1))
    first = await notified(stack, due.client.id, "decision_reminder")
    assert _close(first[0].created_at, third)
    assert _local(first[0].created_at) == "Wed 18:00"
    assert await notifications_of(stack, due.contractor.id, "decision_still_under_review") == []

    await skip_to(stack, fifth + timedelta(minutes=1))
    update = await notified(stack, due.contractor.id, "decision_still_under_review")
    assert _close(update[0].created_at, fifth)
    assert "still under review" in update[0].subject
    view = await stack.http.get(f"/candidacies/{due.candidacy_id}", headers=due.contractor.auth)
    assert view.json()["next_update_by"] is None

    twelfth = add_business_days(due.end, 12, NEW_YORK)
    await skip_to(stack, twelfth + timedelta(minutes=1))
    reminders = await notified(stack, due.client.id, "decision_reminder", count=9)
    assert [_local(r.created_at) for r in reminders] == [
        "Wed 18:00",  # 3 business days
        "Fri 18:00",  # 5
        "Mon 18:00",  # 6, after the weekend
        "Tue 18:00",
        "Wed 18:00",
        "Thu 18:00",
        "Fri 18:00",  # 10
        "Mon 18:00",  # 11: daily after, for as long as no decision lands
        "Tue 18:00",  # 12
    ]
    expected = [add_business_days(due.end, n, NEW_YORK) for n in (3, 5, 6, 7, 8, 9, 10, 11, 12)]
    assert all(_close(r.created_at, at) for r, at in zip(reminders, expected, strict=True))
    assert "3 business days" in reminders[0].subject
    assert len([m for m in stack.mail.to(due.client.email) if "Decision due" in m["Subject"]]) == 9
    await notified(stack, due.contractor.id, "decision_still_under_review", count=1)


async def test_decision_reminders_stop_the_moment_a_decision_lands(stack: Stack) -> None:
    due = await decision_due(stack, NEW_YORK, await _friday_evening_interview(stack))
    third = add_business_days(due.end, 3, NEW_YORK)
    # Off the scorecard reminder's moment (third + 1 h): an update sent as a timer of its
    # workflow fires is lost by the time-skipping server (see test_scorecards_flow).
    await skip_to(stack, third + timedelta(hours=1, minutes=1))
    await notified(stack, due.client.id, "decision_reminder", count=1)

    advanced = await decide(stack, due.client, due.candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    state = await wait_for_stage(stack, due.candidacy_id, due.contractor, "interviewing")
    assert state["round"] == 2
    assert state["next_update_by"] is None
    again = await decide(stack, due.client, due.candidacy_id, "reject")
    assert again.status_code == 409, again.text

    await stack.env.sleep(timedelta(days=21))
    await notified(stack, due.client.id, "decision_reminder", count=1)
    assert await notifications_of(stack, due.contractor.id, "decision_still_under_review") == []


async def test_a_decision_after_rejection_is_409(stack: Stack) -> None:
    due = await decision_due(stack, NEW_YORK, await _friday_evening_interview(stack))
    await skip_to(stack, add_business_days(due.end, 1, NEW_YORK))
    rejected = await decide(
        stack, due.client, due.candidacy_id, "reject", "We need deeper PostgreSQL experience."
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["stage"] == "rejected"
    told = await notified(stack, due.contractor.id, "candidacy_rejected")
    assert "deeper PostgreSQL experience" in told[0].body_text

    for decision in ("advance", "reject", "hold"):
        late = await decide(stack, due.client, due.candidacy_id, decision)
        assert late.status_code == 409, late.text

    view = await stack.http.get(f"/candidacies/{due.candidacy_id}", headers=due.contractor.auth)
    assert view.json()["stage"] == "rejected"
    assert view.json()["feedback"] == "We need deeper PostgreSQL experience."
    assert "not to move forward" in view.json()["status_text"]
    assert view.json()["next_update_by"] is None
    # The rejection stopped the clock: no reminder, no "still under review".
    await stack.env.sleep(timedelta(days=21))
    assert await notifications_of(stack, due.client.id, "decision_reminder") == []
    assert await notifications_of(stack, due.contractor.id, "decision_still_under_review") == []


async def test_a_rejection_without_feedback_sends_the_kind_default(stack: Stack) -> None:
    due = await decision_due(stack, NEW_YORK, await _friday_evening_interview(stack))
    rejected = await decide(stack, due.client, due.candidacy_id, "reject")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["feedback"] == DEFAULT_REJECTION_FEEDBACK
    told = await notified(stack, due.contractor.id, "candidacy_rejected")
    assert "Thank you for your time and interest" in told[0].body_text


async def test_hold_is_shown_and_the_clock_keeps_running(stack: Stack) -> None:
    start = await _friday_evening_interview(stack)
    due = await decision_due(stack, NEW_YORK, start)
    await skip_to(stack, add_business_days(due.end, 1, NEW_YORK))
    held = await decide(stack, due.client, due.candidacy_id, "hold")
    assert held.status_code == 200, held.text
    assert held.json()["on_hold"] is True
    assert held.json()["stage"] == "decision_pending"

    view = await stack.http.get(f"/candidacies/{due.candidacy_id}", headers=due.contractor.auth)
    assert view.json()["on_hold"] is True
    assert "on hold" in view.json()["status_text"]
    metadata = await stack.env.client.get_workflow_handle(due.candidacy_id).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    assert "(on hold)" in metadata.current_details

    fifth = add_business_days(due.end, 5, NEW_YORK)
    await skip_to(stack, fifth + timedelta(minutes=1))
    reminders = await notified(stack, due.client.id, "decision_reminder", count=2)
    expected = [add_business_days(due.end, 3, NEW_YORK), fifth]
    assert all(_close(r.created_at, at) for r, at in zip(reminders, expected, strict=True))
    assert "on hold" in reminders[0].body_text
    update = await notified(stack, due.contractor.id, "decision_still_under_review")
    assert _close(update[0].created_at, fifth)

    advanced = await decide(stack, due.client, due.candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    assert advanced.json()["on_hold"] is False
    state = await wait_for_stage(stack, due.candidacy_id, due.client, "interviewing")
    assert state["round"] == 2
    await stack.env.sleep(timedelta(days=14))
    await notified(stack, due.client.id, "decision_reminder", count=2)
    await record_history(stack.env.client, due.candidacy_id, "candidacy_decision_clock_with_hold")


async def test_no_decision_is_due_before_the_round_is_over(stack: Stack) -> None:
    client = await stack.client_user(billing_tz=NEW_YORK)
    job = await stack.job_post(client)
    contractor, candidacy_id = await invited(stack, client, job)
    early = await decide(stack, client, candidacy_id, "advance")
    assert early.status_code == 409
    assert "no decision is due" in early.json()["detail"]
    by_contractor = await decide(stack, contractor, candidacy_id, "advance")
    assert by_contractor.status_code == 404
