"""Scorecards end to end through the HTTP API on the time-skipping server: one per panel member
per interview (a second replaces the first), reminders to each member whose scorecard is missing
1 h after the interview's end and then every business day, stopping when it arrives or the
decision lands; who may send one."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from domain.business_days import add_business_days
from domain.scorecards import FIRST_REMINDER_AFTER_END
from tests.helpers import notifications_of, notified, record_history, skip_to, wait_for_stage
from tests.rounds import (
    FRIDAY,
    DecisionDue,
    complete_round_one,
    decision_due,
    next_weekday_at,
    request_round_one,
)
from tests.scheduling import decide, invited
from tests.stack import Actor, Stack

BERLIN = "Europe/Berlin"
FRIDAY_AFTERNOON = time(16, 30)  # a 30-minute interview ending at 17:00


def _close(created_at: datetime, moment: datetime) -> bool:
    return moment <= created_at < moment + timedelta(seconds=5)


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(BERLIN)).strftime("%a %H:%M")


async def _score(
    stack: Stack, due: DecisionDue, member: Actor, rating: str, notes: str
) -> httpx.Response:
    """`member`'s scorecard of the round's interview."""
    return await stack.http.post(
        f"/interviews/{due.interview_id}/scorecards",
        json={"rating": rating, "notes": notes},
        headers=member.auth,
    )


async def test_scorecard_reminders_1_hour_after_the_end_then_daily_until_submitted(
    stack: Stack,
) -> None:
    owner = await stack.client_user(billing_tz=BERLIN)
    teammate = await stack.colleague(owner)
    start = await next_weekday_at(stack, BERLIN, FRIDAY, FRIDAY_AFTERNOON)
    due = await decision_due(stack, BERLIN, start, panel=[owner.id, teammate.id], client=owner)
    first = due.end + timedelta(hours=1)

    await skip_to(stack, first - timedelta(minutes=1))
    assert await notifications_of(stack, owner.id, "scorecard_reminder") == []
    assert await notifications_of(stack, teammate.id, "scorecard_reminder") == []

    await skip_to(stack, first + timedelta(minutes=1))
    for member in (owner, teammate):
        reminded = await notified(stack, member.id, "scorecard_reminder")
        assert _close(reminded[0].created_at, first)
        assert _local(reminded[0].created_at) == "Fri 18:00"
    assert any("Scorecard missing" in m["Subject"] for m in stack.mail.to(teammate.email))

    sent = await _score(stack, due, teammate, "yes", "Clear answers on escalation handling.")
    assert sent.status_code == 201, sent.text
    assert sent.json()["rating"] == "yes"
    assert sent.json()["panel_member_id"] == teammate.id

    monday = add_business_days(first, 1, BERLIN)
    await skip_to(stack, monday + timedelta(minutes=1))
    again = await notified(stack, owner.id, "scorecard_reminder", count=2)
    assert _close(again[1].created_at, monday)
    assert _local(again[1].created_at) == "Mon 18:00"  # the weekend is skipped
    await notified(stack, teammate.id, "scorecard_reminder", count=1)

    mine = await _score(stack, due, owner, "strong_yes", "Hire.")
    assert mine.status_code == 201, mine.text
    replaced = await _score(stack, due, owner, "no", "On reflection, the tooling gap is too wide.")
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["rating"] == "no"
    assert replaced.json()["submitted_at"] == mine.json()["submitted_at"]

    await stack.env.sleep(timedelta(days=14))
    await notified(stack, owner.id, "scorecard_reminder", count=2)
    await notified(stack, teammate.id, "scorecard_reminder", count=1)

    listed = await stack.http.get(f"/interviews/{due.interview_id}/scorecards", headers=owner.auth)
    assert listed.status_code == 200
    assert {(s["panel_member_id"], s["rating"]) for s in listed.json()} == {
        (teammate.id, "yes"),
        (owner.id, "no"),
    }
    # The contractor sees neither the ratings nor the notes.
    view = await stack.http.get(f"/candidacies/{due.candidacy_id}", headers=due.contractor.auth)
    assert "tooling gap" not in view.text and "strong_yes" not in view.text
    hidden = await stack.http.get(
        f"/interviews/{due.interview_id}/scorecards", headers=due.contractor.auth
    )
    assert hidden.status_code == 404
    await record_history(stack.env.client, due.candidacy_id, "candidacy_scorecards_and_reminders")


async def test_scorecard_reminders_stop_when_the_decision_lands(stack: Stack) -> None:
    start = await next_weekday_at(stack, BERLIN, FRIDAY, FRIDAY_AFTERNOON)
    due = await decision_due(stack, BERLIN, start)  # the panel: the requesting client alone
    # A minute past the first reminder, as in every skip here followed by an update: the
    # time-skipping server loses an update's workflow task when a timer of the same workflow
    # fires while the task runs (an update sent on a timer's moment hung this test).
    await skip_to(stack, due.end + FIRST_REMINDER_AFTER_END + timedelta(minutes=1))
    await notified(stack, due.client.id, "scorecard_reminder", count=1)

    advanced = await decide(stack, due.client, due.candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    await wait_for_stage(stack, due.candidacy_id, due.client, "interviewing")
    await stack.env.sleep(timedelta(days=14))
    await notified(stack, due.client.id, "scorecard_reminder", count=1)


async def test_only_panel_members_send_scorecards_once_the_interview_ended(stack: Stack) -> None:
    owner = await stack.client_user(billing_tz=BERLIN)
    teammate = await stack.colleague(owner)
    outsider = await stack.client_user(billing_tz=BERLIN)
    ops = await stack.ops()
    start = await next_weekday_at(stack, BERLIN, FRIDAY, FRIDAY_AFTERNOON)
    due = await request_round_one(stack, owner, start)  # the panel: the owner alone
    path = f"/interviews/{due.interview_id}/scorecards"
    card = {"rating": "strong_no", "notes": ""}

    early = await stack.http.post(path, json=card, headers=owner.auth)
    assert early.status_code == 409, early.text
    assert "booked" in early.json()["detail"]

    await complete_round_one(stack, due)
    assert (await stack.http.post(path, json=card, headers=teammate.auth)).status_code == 403
    assert (await stack.http.post(path, json=card, headers=ops.auth)).status_code == 403
    assert (await stack.http.post(path, json=card, headers=outsider.auth)).status_code == 404
    assert (await stack.http.post(path, json=card, headers=due.contractor.auth)).status_code == 404
    unknown = f"/interviews/interview-jp_nothere000-{due.contractor.id}-r1/scorecards"
    assert (await stack.http.post(unknown, json=card, headers=owner.auth)).status_code == 404
    bad = await stack.http.post(path, json={"rating": "maybe"}, headers=owner.auth)
    assert bad.status_code == 422
    long = await stack.http.post(
        path, json={"rating": "yes", "notes": "x" * 5001}, headers=owner.auth
    )
    assert long.status_code == 422
    assert (await stack.http.post(path, json=card, headers=owner.auth)).status_code == 201


async def test_the_panel_is_client_users_of_the_job_posts_company(stack: Stack) -> None:
    owner = await stack.client_user(billing_tz=BERLIN)
    outsider = await stack.client_user(billing_tz=BERLIN)
    job = await stack.job_post(owner)
    contractor, candidacy_id = await invited(stack, owner, job)
    for stranger in (outsider.id, contractor.id, "u_nobody0000"):
        refused = await stack.http.post(
            f"/candidacies/{candidacy_id}/interview-requests",
            json={"panel": [owner.id, stranger]},
            headers=owner.auth,
        )
        assert refused.status_code == 422, refused.text
        assert stranger in refused.json()["detail"]


async def test_no_scorecards_for_a_no_show(stack: Stack) -> None:
    start = await next_weekday_at(stack, BERLIN, FRIDAY, FRIDAY_AFTERNOON)
    client = await stack.client_user(billing_tz=BERLIN)
    due = await request_round_one(stack, client, start)
    await skip_to(stack, due.end + timedelta(minutes=5))
    outcome = await stack.http.post(
        f"/interviews/{due.interview_id}/outcome",
        json={"outcome": "no_show", "no_show_side": "contractor"},
        headers=client.auth,
    )
    assert outcome.status_code == 200, outcome.text
    await wait_for_stage(stack, due.candidacy_id, client, "decision_pending")
    refused = await stack.http.post(
        f"/interviews/{due.interview_id}/scorecards", json={"rating": "no"}, headers=client.auth
    )
    assert refused.status_code == 409
    await stack.env.sleep(timedelta(days=3))
    assert await notifications_of(stack, client.id, "scorecard_reminder") == []
