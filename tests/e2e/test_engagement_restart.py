"""The engagement of tests/engagement_scenario.py on a real Temporal dev server, with the worker
stopped and restarted while it writes the ledger: the same ledger, row for row, as the same
engagement run without a restart, and as the exact list the scenario expects.

A dev server runs in real time, so the ten weeks are set one year in the past: the engagement
starts with the state a run carries over by continue-as-new on the day after week 10 ended (every
week's timesheet and review in it, the rate change from week 7, the end on the last day of week 10),
before its acceptance fee is charged. The workflow then catches up on everything the clock owes:
the prorated fee, three monthly fees and nine payouts, in time order, one activity at a time."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from sqlmodel import col
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from contracts.engagement import (
    EngagementState,
    EngagementStatus,
    TermsChange,
    WeekState,
    WeekStatus,
)
from core.db import Database
from core.settings import Settings
from domain.offers import Schedule, Weekday
from domain.weeks import Review, week
from store.models import LedgerEntry
from tests.carried_engagement import hired_state, ledger_rows, start_carried
from tests.engagement_scenario import (
    BILLING_TZ,
    NEW_RATE,
    RATE,
    SCHEDULE,
    TIMESHEETS,
    Calendar,
    expected_ledger,
    ny,
)
from tests.helpers import record_history
from tests.mail import MailServer
from tests.stack import Actor, Stack, product_settings, serving
from workers.worker import create_worker

WEEKDAYS = [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]


def past_calendar(now: datetime) -> Calendar:
    """The latest scenario year whose whole engagement (to 2 March) is already over."""
    year = now.year - 1
    while ny(date(year + 1, 3, 2), 12) >= now:
        year -= 1
    return Calendar(year)


def _week(cal: Calendar, number: int) -> WeekState:
    hours, review = TIMESHEETS[number]
    bounds = week(cal.start_date, number, BILLING_TZ, cal.ended_at)
    state = WeekState(
        week=number,
        first_day=bounds.first_day,
        ends_at=bounds.ends_at,
        review_until=bounds.review_until,
        scheduled_hours=SCHEDULE,
        hourly_rate_cents=NEW_RATE if number >= 7 else RATE,
    )
    if hours is None:
        state.reminded = True
        return state
    state.hours, state.status = hours, WeekStatus.SUBMITTED
    state.submitted_at = ny(bounds.first_day, 18)
    if review == "approve":
        state.review, state.status = Review.APPROVED, WeekStatus.APPROVED
    elif isinstance(review, tuple):
        state.review, state.status = Review.DISPUTED, WeekStatus.DISPUTED
        state.corrected_hours, state.dispute_reason = review[1], "Friday was off"
    return state


def carried_state(
    cal: Calendar, job_post_id: str, client: Actor, contractor_id: str
) -> EngagementState:
    return hired_state(
        job_post_id,
        client,
        contractor_id,
        billing_tz=BILLING_TZ,
        signed_at=cal.accepted_at,
        start_date=cal.start_date,
        status=EngagementStatus.ENDED,
        terms_schedule=[
            TermsChange(
                from_week=1,
                terms=Schedule(
                    hourly_rate_cents=RATE, hours_per_week=SCHEDULE, working_days=WEEKDAYS
                ),
                requested_at=cal.accepted_at,
            ),
            TermsChange(
                from_week=7,
                terms=Schedule(
                    hourly_rate_cents=NEW_RATE, hours_per_week=SCHEDULE, working_days=WEEKDAYS
                ),
                requested_at=ny(cal.jan(4), 12),
            ),
        ],
        ended_at=cal.ended_at,
        end_reason="The season is over",
        last_week=10,
        open_weeks=[_week(cal, n) for n in range(1, 11)],
        next_week_to_open=11,
        kickoff_reminded=True,
        training_reminded=True,
    )


@asynccontextmanager
async def api(
    env: WorkflowEnvironment, settings: Settings, db: Database, mail: MailServer
) -> AsyncIterator[Stack]:
    async with serving(create_app(settings, temporal=env.client), env, db, settings, mail) as stack:
        yield stack


async def _hired_pair(stack: Stack, client: Actor) -> tuple[str, str]:
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    return job["id"], contractor.id


async def _ledger(db: Database, engagement_id: str) -> list[LedgerEntry]:
    return await ledger_rows(
        db, engagement_id, [col(LedgerEntry.effective_on), col(LedgerEntry.kind).desc()]
    )


def _row(entry: LedgerEntry) -> tuple[str, str, str, int, str]:
    return (entry.kind, entry.period, entry.effective_on, entry.amount_cents, entry.description)


async def _until(probe, check, seconds: float = 60) -> object:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        value = await probe()
        if check(value):
            return value
        assert time.monotonic() < deadline, f"never reached; last: {value!r}"
        await asyncio.sleep(0.02)


async def _start(env: WorkflowEnvironment, settings: Settings, state: EngagementState) -> None:
    await start_carried(env.client, settings.temporal_task_queue, state)


async def test_a_worker_restart_in_the_middle_writes_the_same_ledger_row_for_row(
    dev_env: WorkflowEnvironment, database_url: str, mail: MailServer
) -> None:
    settings = product_settings(database_url, mail, f"hiring-restart-{uuid.uuid4().hex[:8]}")
    db = Database(database_url)
    cal = past_calendar(datetime.now(UTC))
    expected = expected_ledger(cal)
    try:
        async with api(dev_env, settings, db, mail) as stack:
            client = await stack.client_user(billing_tz=BILLING_TZ)
            job_a, contractor_a = await _hired_pair(stack, client)
            job_b, contractor_b = await _hired_pair(stack, client)
            steady = carried_state(cal, job_a, client, contractor_a)
            restarted = carried_state(cal, job_b, client, contractor_b)

            # Without a restart.
            async with create_worker(dev_env.client, settings, db):
                await _start(dev_env, settings, steady)
                await dev_env.client.get_workflow_handle(steady.engagement_id).result()
            steady_rows = await _ledger(db, steady.engagement_id)
            assert [_row(r)[:4] for r in steady_rows] == expected

            # Stopped after a few rows, started again.
            async with create_worker(dev_env.client, settings, db):
                await _start(dev_env, settings, restarted)
                await _until(
                    lambda: _ledger(db, restarted.engagement_id), lambda rows: len(rows) >= 3
                )
            before = await _ledger(db, restarted.engagement_id)
            await asyncio.sleep(1)  # no worker: nothing moves
            assert await _ledger(db, restarted.engagement_id) == before
            assert 3 <= len(before) < len(expected), "the restart was not in the middle"
            handle = dev_env.client.get_workflow_handle(restarted.engagement_id)
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
            async with create_worker(dev_env.client, settings, db):
                await handle.result()
            after = await _ledger(db, restarted.engagement_id)

            assert [_row(r) for r in after] == [_row(r) for r in steady_rows]
            assert [r.id for r in after[: len(before)]] == [r.id for r in before]
            assert len({r.idempotency_key for r in after}) == len(after) == len(expected)

            response = await stack.http.get(
                "/ledger",
                params={"engagement_id": restarted.engagement_id},
                headers=client.auth,
            )
            items = response.json()["items"]
            assert [
                (e["kind"], e["period"], e["effective_on"], e["amount_cents"]) for e in items
            ] == expected
            engagement = await stack.http.get(
                f"/engagements/{restarted.engagement_id}", headers=client.auth
            )
            statuses = [w["status"] for w in engagement.json()["weeks"]]
            assert statuses == ["paid"] * 4 + ["missed"] + ["paid"] * 5
            assert engagement.json()["paid_cents"] == sum(
                r[3] for r in expected if r[0] == "payout"
            )
            await record_history(dev_env.client, restarted.engagement_id, "engagement_restarted")
    finally:
        await db.dispose()


def test_the_past_calendar_is_the_latest_one_already_over() -> None:
    assert past_calendar(datetime(2026, 11, 21, 22, 0, tzinfo=UTC)).year == 2025
    assert past_calendar(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)).year == 2024
