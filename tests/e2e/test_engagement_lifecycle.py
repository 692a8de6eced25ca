"""A whole engagement end to end through the API, with the real worker on the time-skipping server:
ten weeks and three month boundaries (see tests/engagement_scenario.py), the exact list of charges
and payouts with dates and amounts, week 1 paid only after its review window, a disputed week paid
at the corrected hours, nothing charged after the end."""

from datetime import date, datetime, timedelta
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from tests.engagement_scenario import (
    BILLING_TZ,
    EXPECTED_PAYOUTS,
    NEW_RATE,
    TIMESHEETS,
    Calendar,
    expected_ledger,
    ny,
)
from tests.helpers import eventually, notifications_of, notified, record_history
from tests.offer_stage import AtOffer, candidacy_at_offer, offer_terms
from tests.stack import Actor, Stack


async def skip_to(stack: Stack, moment: datetime) -> None:
    now = await stack.env.get_current_time()
    assert moment > now, f"the scenario is behind: {moment} <= {now}"
    await stack.env.sleep(moment - now)


def calendar_after(now: datetime) -> Calendar:
    """The first year whose 20 November is more than a day ahead."""
    year = now.year if now < ny(date(now.year, 11, 19)) else now.year + 1
    return Calendar(year)


async def ledger(stack: Stack, actor: Actor, engagement_id: str) -> list[tuple[str, str, str, int]]:
    response = await stack.http.get(
        "/ledger", params={"engagement_id": engagement_id}, headers=actor.auth
    )
    assert response.status_code == 200, response.text
    return [
        (e["kind"], e["period"], e["effective_on"], e["amount_cents"])
        for e in response.json()["items"]
    ]


async def ledger_becomes(
    stack: Stack, actor: Actor, engagement_id: str, rows: list[tuple[str, str, str, int]]
) -> None:
    await eventually(lambda: ledger(stack, actor, engagement_id), lambda got: got == rows)


async def submit(stack: Stack, at: AtOffer, week: int, hours: Any) -> dict[str, Any]:
    response = await stack.http.post(
        f"/engagements/{at.engagement_id}/timesheets",
        json={"week": week, "hours": float(hours)},
        headers=at.contractor.auth,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def hire(stack: Stack, cal: Calendar) -> AtOffer:
    """To the offer stage on 20 November, the offer sent, accepted on 21 November at 10:00."""
    await skip_to(stack, ny(cal.nov(20), 8))
    at = await candidacy_at_offer(stack, billing_tz=BILLING_TZ)
    sent = await stack.http.post(
        f"/candidacies/{at.candidacy_id}/offers",
        json=offer_terms(cal.start_date),
        headers=at.client.auth,
    )
    assert sent.status_code == 201, sent.text
    await skip_to(stack, cal.accepted_at)
    accepted = await stack.http.post(
        f"/offers/{at.offer_id}/accept", json={"version": 1}, headers=at.contractor.auth
    )
    assert accepted.status_code == 200, accepted.text
    return at


async def test_ten_weeks_and_three_month_boundaries_write_the_exact_ledger(stack: Stack) -> None:
    cal = calendar_after(await stack.env.get_current_time())
    expected = expected_ledger(cal)
    fees = [r for r in expected if r[0] == "seat_fee"]
    at = await hire(stack, cal)
    client, contractor = at.client, at.contractor

    # Acceptance: 10 of 30 days of $240; the kick-off reminder, then the training reminder.
    await ledger_becomes(stack, client, at.engagement_id, fees[:1])
    assert fees[0][3] == 8000
    await notified(stack, client.id, "kickoff_reminder")
    read = await stack.http.get(f"/engagements/{at.engagement_id}", headers=client.auth)
    engagement = read.json()
    assert engagement["status"] == "scheduled"
    assert engagement["contract"]["version"] == 1
    early = await stack.http.post(
        f"/engagements/{at.engagement_id}/timesheets",
        json={"week": 1, "hours": 1},
        headers=contractor.auth,
    )
    assert early.status_code == 409
    await skip_to(stack, ny(cal.nov(27), 0, 1))
    await notified(stack, client.id, "training_reminder")

    # The workforce shows the hire; campaigns are named.
    team = (await stack.http.get("/workforce", headers=client.auth)).json()
    assert [m["engagement_id"] for m in team] == [at.engagement_id]
    assigned = await stack.http.post(
        f"/workforce/{at.engagement_id}/campaigns",
        json={"campaign": " Holiday  support "},
        headers=client.auth,
    )
    assert (assigned.status_code, assigned.json()["campaign"]) == (201, "Holiday support")

    for week in range(1, 11):
        hours, review = TIMESHEETS[week]
        first_day = cal.week_first_day(week)
        if week == 6:  # a new rate, asked during week 6, from week 7 on
            await skip_to(stack, ny(first_day + timedelta(days=1), 12))
            change = await stack.http.post(
                f"/engagements/{at.engagement_id}/terms",
                json={"hourly_rate_cents": NEW_RATE},
                headers=client.auth,
            )
            assert change.status_code == 200, change.text
            assert change.json()["from_week"] == 7
        if hours is None:
            continue
        # Hours on the last working day (week 10: the morning of the end).
        await skip_to(stack, ny(first_day + timedelta(days=6), 10 if week == 10 else 18))
        submitted = await submit(stack, at, week, hours)
        assert submitted["over_schedule"] == (hours > 20)
        if review == "approve":
            await skip_to(stack, ny(first_day + timedelta(days=8), 10))
            approved = await stack.http.post(
                f"/engagements/{at.engagement_id}/timesheets/{week}/approve", headers=client.auth
            )
            assert approved.status_code == 200, approved.text
        elif isinstance(review, tuple):
            await skip_to(stack, ny(first_day + timedelta(days=8), 10))
            too_many = await stack.http.post(
                f"/engagements/{at.engagement_id}/timesheets/{week}/dispute",
                json={"corrected_hours": 21, "reason": "more than submitted"},
                headers=client.auth,
            )
            assert too_many.status_code == 422
            disputed = await stack.http.post(
                f"/engagements/{at.engagement_id}/timesheets/{week}/dispute",
                json={"corrected_hours": float(review[1]), "reason": "Friday was off"},
                headers=client.auth,
            )
            assert disputed.status_code == 200, disputed.text
            twice = await stack.http.post(
                f"/engagements/{at.engagement_id}/timesheets/{week}/approve", headers=client.auth
            )
            assert twice.status_code == 409
        if week == 1:
            # Week 1 is over, its review window is not: nothing is paid yet.
            await skip_to(stack, ny(cal.dec(8), 23, 59))
            assert await ledger(stack, client, at.engagement_id) == fees[:2]
            await skip_to(stack, ny(cal.dec(9), 0, 1))
            await ledger_becomes(stack, client, at.engagement_id, expected[:3])
            assert expected[2] == ("payout", "week-1", cal.dec(9).isoformat(), 80000)

    await skip_to(stack, cal.ended_at)
    ended = await stack.http.post(
        f"/engagements/{at.engagement_id}/end",
        json={"reason": "The season is over"},
        headers=client.auth,
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["last_week"]) == ("ended", 10)
    ended_at = datetime.fromisoformat(ended.json()["ended_at"])
    assert timedelta(0) <= ended_at - cal.ended_at < timedelta(seconds=5)

    # The last week is paid after its own review window; then nothing more, 1 March included.
    await skip_to(stack, ny(cal.mar(2), 12))
    await ledger_becomes(stack, client, at.engagement_id, expected)
    assert await ledger(stack, client, at.engagement_id) == expected
    handle = stack.env.client.get_workflow_handle(at.engagement_id)
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED

    assert [(r[1], r[3]) for r in expected if r[0] == "payout"] == [
        (f"week-{w}", cents) for w, cents in EXPECTED_PAYOUTS.items()
    ]
    # The contractor sees only their payouts; ops everything; another client nothing.
    payouts = [r for r in expected if r[0] == "payout"]
    assert await ledger(stack, contractor, at.engagement_id) == payouts
    assert await ledger(stack, await stack.ops(), at.engagement_id) == expected
    stranger = await stack.client_user()
    foreign = await stack.http.get(
        "/ledger", params={"engagement_id": at.engagement_id}, headers=stranger.auth
    )
    assert foreign.status_code == 404

    final = (await stack.http.get(f"/engagements/{at.engagement_id}", headers=client.auth)).json()
    assert final["charged_cents"] == 8000 + 3 * 24000
    assert final["paid_cents"] == sum(EXPECTED_PAYOUTS.values())
    weeks = {w["week"]: w for w in final["weeks"]}
    assert sorted(weeks) == list(range(1, 11))
    assert [weeks[w]["status"] for w in range(1, 11)] == ["paid"] * 4 + ["missed"] + ["paid"] * 5
    assert (weeks[2]["hours"], weeks[2]["paid_hours"]) == (25, 20)
    assert (weeks[3]["review"], weeks[3]["corrected_hours"], weeks[3]["payout_cents"]) == (
        "disputed",
        15,
        60000,
    )
    assert (weeks[4]["review"], weeks[4]["paid_hours"]) == ("approved", 25)
    assert weeks[7]["hourly_rate_cents"] == NEW_RATE
    assert weeks[10]["ends_at"] == final["ended_at"]
    as_contractor = (
        await stack.http.get(f"/engagements/{at.engagement_id}", headers=contractor.auth)
    ).json()
    assert as_contractor["charges"] == [] and as_contractor["charged_cents"] is None
    assert len(as_contractor["payouts"]) == 9

    await notified(stack, contractor.id, "timesheet_reminder", count=1)  # week 5
    await notified(stack, contractor.id, "payout_released", count=9)
    await notified(stack, contractor.id, "timesheet_disputed", count=1)
    await notified(stack, contractor.id, "terms_changed", count=1)
    await notified(stack, contractor.id, "engagement_ended", count=1)
    reminders = await notifications_of(stack, contractor.id, "timesheet_reminder")
    assert "Week 5" in reminders[0].body_text

    # Ended: no more timesheets, terms or endings; out of the workforce.
    late = await stack.http.post(
        f"/engagements/{at.engagement_id}/timesheets",
        json={"week": 11, "hours": 1},
        headers=contractor.auth,
    )
    assert late.status_code == 409
    again = await stack.http.post(
        f"/engagements/{at.engagement_id}/end", json={}, headers=client.auth
    )
    assert again.status_code == 409
    assert (await stack.http.get("/workforce", headers=client.auth)).json() == []
    listed = await stack.http.get("/engagements", params={"status": "ended"}, headers=client.auth)
    assert [e["id"] for e in listed.json()["items"]] == [at.engagement_id]

    await record_history(stack.env.client, at.engagement_id, "engagement_ten_weeks")
    await record_history(stack.env.client, at.offer_id, "offer_accepted_first_version")
