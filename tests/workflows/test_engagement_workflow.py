"""EngagementWorkflow alone, its activities replaced by doubles (the ledger's writes are recorded):
the seat fee prorated on signing then in full on each 1st while active, each week paid when its
3-day review window closes (unreviewed: up to the schedule; disputed: the corrected hours;
approved: all), a rate change from the next week, no pay for a week without a timesheet, and
what a timesheet or a review may no longer change."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from contracts.engagement import (
    ApproveRequest,
    DisputeRequest,
    EndRequest,
    EngagementStart,
    EngagementState,
    EngagementStatus,
    TermsChange,
    TermsRequest,
    TimesheetRequest,
    WeekState,
)
from contracts.ledger import LedgerWrite, LedgerWritten
from domain.offers import Schedule, Weekday, engagement_workflow_id
from tests.workflows.calendar import same_moments
from tests.workflows.doubles import Doubles, worker_with
from tests.workflows.pair import new_pair
from workflows.engagement import EngagementWorkflow

DAY = timedelta(days=1)
RATE, NEW_RATE = 4000, 4333
SEAT_FEE = 24000  # the standard plan's


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def written(write: LedgerWrite) -> LedgerWritten:
    return LedgerWritten(
        entry_id=uuid.uuid4().hex,
        idempotency_key=write.idempotency_key,
        amount_cents=write.amount_cents,
        created=True,
    )


@dataclass
class Engagement:
    env: WorkflowEnvironment
    doubles: Doubles
    handle: WorkflowHandle[EngagementWorkflow, EngagementState]
    state: EngagementState

    @property
    def start_date(self) -> date:
        return self.state.start_date

    def week_starts(self, number: int) -> datetime:
        return midnight(self.start_date + timedelta(days=7 * (number - 1)))

    async def skip_to(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        assert moment > now, (moment, now)
        await self.env.sleep(moment - now)

    async def update(self, method: Any, request: Any) -> Any:
        return await self.handle.execute_update(method, request)

    async def submit(self, week: int, hours: Decimal) -> WeekState:
        """The contractor's timesheet for the week."""
        request = TimesheetRequest(week=week, hours=hours, by=self.state.contractor_id)
        submitted: WeekState = await self.update(EngagementWorkflow.submit_timesheet, request)
        return submitted

    async def approve(self, week: int) -> WeekState:
        """The owner's approval of the week's hours."""
        request = ApproveRequest(week=week, by=self.state.owner_id)
        approved: WeekState = await self.update(EngagementWorkflow.approve_timesheet, request)
        return approved

    def ledger(self, kind: str) -> list[tuple[str, int]]:
        writes: list[LedgerWrite] = self.doubles.args("record_ledger_entry")
        return [(w.period, w.amount_cents) for w in writes if w.kind == kind]


@pytest.fixture
async def engagement(time_env: WorkflowEnvironment) -> AsyncIterator[Engagement]:
    """Signed now, in billing zone UTC, starting tomorrow: 20 hours a week at $40.00."""
    doubles = Doubles(answers={"record_ledger_entry": written})
    now = await time_env.get_current_time()
    pair = new_pair()
    state = EngagementState(
        engagement_id=engagement_workflow_id(pair["job_post_id"], pair["contractor_id"]),
        **pair,
        plan="standard",
        seat_fee_cents=SEAT_FEE,
        billing_tz="UTC",
        signed_at=now,
        start_date=now.date() + DAY,
        terms_schedule=[
            TermsChange(
                from_week=1,
                terms=Schedule(
                    hourly_rate_cents=RATE,
                    hours_per_week=Decimal(20),
                    working_days=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU],
                ),
                requested_at=now,
            )
        ],
    )
    async with worker_with(time_env, doubles) as task_queue:
        handle = await time_env.client.start_workflow(
            EngagementWorkflow.run,
            EngagementStart(state=state),
            id=state.engagement_id,
            task_queue=task_queue,
        )
        yield Engagement(time_env, doubles, handle, state)


def first_days_of_months(after: datetime, before: datetime) -> list[date]:
    """The 1sts of the months strictly between two moments (UTC)."""
    day = date(after.year, after.month, 1)
    found = []
    while True:
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if midnight(day) >= before:
            return found
        found.append(day)


async def test_fees_and_weekly_payouts_follow_the_rules(engagement: Engagement) -> None:
    owner = engagement.state.owner_id
    signed = engagement.state.signed_at

    # Week 1: 25 hours against a schedule of 20, never reviewed; the rate changes from week 2.
    await engagement.skip_to(engagement.week_starts(1) + DAY)
    change = await engagement.update(
        EngagementWorkflow.change_terms, TermsRequest(hourly_rate_cents=NEW_RATE, by=owner)
    )
    assert change.from_week == 2
    await engagement.submit(1, Decimal(25))
    # Week 2: 25 hours, disputed down to 15 (not up to 30).
    await engagement.skip_to(engagement.week_starts(2) + timedelta(hours=1))
    await engagement.submit(2, Decimal(25))
    with pytest.raises(WorkflowUpdateFailedError) as too_many:
        await engagement.update(
            EngagementWorkflow.dispute_timesheet,
            DisputeRequest(week=2, corrected_hours=Decimal(30), reason="typo", by=owner),
        )
    assert "must not exceed the submitted hours (25)" in str(too_many.value.cause)
    await engagement.update(
        EngagementWorkflow.dispute_timesheet,
        DisputeRequest(week=2, corrected_hours=Decimal(15), reason="Friday off", by=owner),
    )
    # Week 3: 10.5 hours, approved. Week 1's review window closed at day 10: closed for good.
    await engagement.skip_to(engagement.week_starts(3) + timedelta(hours=1))
    await engagement.submit(3, Decimal("10.5"))
    await engagement.approve(3)
    with pytest.raises(WorkflowUpdateFailedError) as closed:
        await engagement.submit(1, Decimal(30))
    assert "week 1 is closed: its review window ended" in str(closed.value.cause)
    # Week 4: no timesheet. Ended at noon on the first day of week 5.
    ended_at = engagement.week_starts(5) + timedelta(hours=12)
    await engagement.skip_to(ended_at)
    ended = await engagement.update(EngagementWorkflow.end, EndRequest(reason="done", by=owner))
    assert (ended.status, ended.last_week) == (EngagementStatus.ENDED, 5)
    with pytest.raises(WorkflowUpdateFailedError):
        await engagement.update(
            EngagementWorkflow.change_terms, TermsRequest(hourly_rate_cents=5000, by=owner)
        )

    final = await engagement.handle.result()

    # The first month prorated, the acceptance day included, halves rounded up; then in full.
    days_in_month = (date(signed.year + signed.month // 12, signed.month % 12 + 1, 1) - DAY).day
    days_left = days_in_month - signed.day + 1
    prorated = (2 * SEAT_FEE * days_left + days_in_month) // (2 * days_in_month)
    months = first_days_of_months(signed, ended_at)
    assert engagement.ledger("seat_fee") == [
        (f"{signed:%Y-%m}", prorated),
        *((f"{m:%Y-%m}", SEAT_FEE) for m in months),
    ]
    assert engagement.ledger("payout") == [
        ("week-1", 20 * RATE),  # unreviewed: paid up to the schedule
        ("week-2", 15 * NEW_RATE),  # disputed: the corrected hours, at the new rate
        ("week-3", 45497),  # approved: 10.5 h × $43.33 = 45496.5, rounded half up
    ]
    payouts = [w for w in engagement.doubles.args("record_ledger_entry") if w.kind == "payout"]
    # Each paid when its review window closed: 3 days after the week's end.
    assert same_moments(
        [w.recorded_at for w in payouts],
        [engagement.week_starts(n + 1) + 3 * DAY for n in (1, 2, 3)],
    )
    assert (final.paid_cents, final.charged_cents) == (
        20 * RATE + 15 * NEW_RATE + 45497,
        prorated + SEAT_FEE * len(months),
    )
    # The contractor is reminded of week 4's missing timesheet when the week ends.
    reminders = engagement.doubles.notices("timesheet_reminder")
    assert reminders[0].context["week"] == 4
    assert same_moments([reminders[0].at], [engagement.week_starts(5)])
    assert [n.context["week"] for n in engagement.doubles.notices("payout_released")] == [1, 2, 3]


async def test_a_timesheet_before_its_week_and_a_review_without_one_are_refused(
    engagement: Engagement,
) -> None:
    owner = engagement.state.owner_id
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await engagement.submit(1, Decimal(5))
    assert f"week 1 starts on {engagement.start_date.isoformat()}" in str(early.value.cause)
    await engagement.skip_to(engagement.week_starts(1) + timedelta(hours=2))
    with pytest.raises(WorkflowUpdateFailedError) as nothing:
        await engagement.approve(1)
    assert "week 1 has no timesheet to review" in str(nothing.value.cause)
    await engagement.submit(1, Decimal(5))
    await engagement.approve(1)
    with pytest.raises(WorkflowUpdateFailedError) as reviewed:
        await engagement.submit(1, Decimal(8))
    assert "week 1 was already approved by the client" in str(reviewed.value.cause)
    # Ended before week 2: week 1 is still paid its approved 5 hours when its window closes.
    await engagement.update(EngagementWorkflow.end, EndRequest(by=owner))
    final = await engagement.handle.result()
    assert engagement.ledger("payout") == [("week-1", 5 * RATE)]
    assert final.last_week == 1
