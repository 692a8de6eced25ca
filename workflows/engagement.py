"""EngagementWorkflow: a hired contractor's engagement (`engagement-<job>-<contractor>`), from the
signature to the last payout.

The story: at acceptance the client pays the seat fee for the rest of the month (prorated in the
billing zone) and is reminded to hold a kick-off call, then a training session, before the start.
Then the full fee on the 1st of every month while active. Weeks run from the start date; the
contractor submits hours per week; the client approves or disputes them until 3 days after the
week ends; then the week is paid (approved hours × rate), week 1 first. A week without a timesheet
pays nothing (the contractor is reminded when it ends). Terms may change from the next week; ending
pays the last week and stops the fees.

Everything the clock drives is an event at a computed instant, processed in time order, so a
worker that was down for days catches up in the same order and writes the same ledger. Each
charge and payout is a ledger row with a key per engagement and period. The history stays short:
the workflow continues as new after every charge or payout, carrying its state.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.engagement import (
        ApproveRequest,
        DisputeRequest,
        EndRequest,
        EngagementActivities,
        EngagementProjection,
        EngagementStart,
        EngagementState,
        EngagementStatus,
        TermsChange,
        TermsRequest,
        TimesheetRequest,
        WeekProjection,
        WeekState,
        WeekStatus,
    )
    from contracts.ledger import LedgerActivities, LedgerWrite
    from contracts.messages import MarkHired, MessageActivities
    from contracts.notify import Notice
    from domain.money import format_cents, pay_cents
    from domain.offers import Schedule
    from domain.proration import (
        billing_date,
        local_midnight,
        month_key,
        next_month,
        prorated_seat_fee,
    )
    from domain.weeks import Review, Week, approved_hours, week, week_number_at
    from workflows import search_attributes as sa
    from workflows.common import at_utc, project, run_activity, tell, wait_until
    from workflows.outbox import Outbox
    from workflows.refusals import conflict, invalid

TRAINING_REMINDER_BEFORE = timedelta(days=2)
# Notices go into the outbox, sent after the answer: a timesheet, a dispute, a terms change or an
# ending answers from the engagement's state, whatever the mail server does. The outbox is empty
# before every continue-as-new (nothing unsent is carried).
NOTICES_PATCH = "engagement-notices-queued"


@dataclass
class _Event:
    at: datetime
    order: int  # ties at one instant: weeks open, reminders, fees, then payouts
    run: Callable[[], Awaitable[bool]]  # True when it was a period boundary (a charge, a payout)
    what: str = "next event"  # in words, for the UI


@workflow.defn
class EngagementWorkflow:
    @workflow.init
    def __init__(self, start: EngagementStart) -> None:
        self.state = start.state
        self.wake = False  # a handler moved the timeline (the engagement ended)
        self.outbox = Outbox()

    @workflow.run
    async def run(self, start: EngagementStart) -> EngagementState:
        state = self.state
        self.outbox.start()
        if state.next_fee_month is None:
            await self._project()
            await run_activity(
                MessageActivities.mark_hired,
                MarkHired(company_id=state.company_id, contractor_id=state.contractor_id),
            )
            await self._charge_first_month()
            await self._tell_owner("kickoff_reminder", self._start_context())
        boundary = False
        while not self.finished:
            boundary = await self._process_due_events() or boundary
            if self.finished:
                break
            if boundary or workflow.info().is_continue_as_new_suggested():
                await self.outbox.flushed_after_handlers()
                state.runs += 1
                workflow.continue_as_new(
                    EngagementStart(state=state),
                    search_attributes=workflow.info().typed_search_attributes,
                )
            next_event = self._next_event()
            assert next_event is not None  # an unfinished engagement always has one
            self.wake = False
            self._show()
            await wait_until(next_event.at, lambda: self.wake, next_event.what)
        await self._project()
        await self.outbox.flushed_after_handlers()
        return state

    # --- the timeline ------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Ended, every week paid, and no fee left that fell due before the end."""
        state = self.state
        if state.last_week is None or state.ended_at is None:
            return False
        if state.next_week_to_settle <= state.last_week:
            return False
        fee_at = self._next_fee_at()
        return fee_at is None or fee_at >= state.ended_at

    def _next_fee_at(self) -> datetime | None:
        month = self.state.next_fee_month
        return None if month is None else local_midnight(month, self.state.billing_tz)

    def _events(self) -> list[_Event]:
        state = self.state
        events: list[_Event] = []
        if state.last_week is None or state.next_week_to_open <= state.last_week:
            starts = self._week(state.next_week_to_open).starts_at
            events.append(
                _Event(starts, 0, self._open_next_week, f"week {state.next_week_to_open} opens")
            )
        if not state.training_reminded and state.ended_at is None:
            remind_at = local_midnight(
                state.start_date - TRAINING_REMINDER_BEFORE, state.billing_tz
            )
            events.append(
                _Event(
                    max(remind_at, state.signed_at),
                    1,
                    self._remind_training,
                    "training reminder to the client, 2 days before the start",
                )
            )
        for open_week in state.open_weeks:
            if open_week.status == WeekStatus.AWAITING and not open_week.reminded:
                events.append(
                    _Event(
                        open_week.ends_at,
                        2,
                        self._reminder_for(open_week),
                        f"timesheet reminder for week {open_week.week}",
                    )
                )
        fee_at = self._next_fee_at()
        if fee_at is not None:
            if state.ended_at is None or fee_at < state.ended_at:
                events.append(_Event(fee_at, 3, self._charge_month, "monthly seat fee"))
        settling = self._open_week(state.next_week_to_settle)
        if settling is not None:
            events.append(
                _Event(
                    settling.review_until,
                    4,
                    self._settle_next_week,
                    f"week {settling.week}'s review window closes: payout",
                )
            )
        return events

    def _next_event(self) -> _Event | None:
        events = self._events()
        return min(events, key=lambda e: (e.at, e.order)) if events else None

    async def _process_due_events(self) -> bool:
        """Run every event whose time has come, in time order; True if one was a boundary."""
        boundary = False
        while (event := self._next_event()) is not None and event.at <= workflow.now():
            boundary = await event.run() or boundary
        return boundary

    def _week_started(self, number: int) -> bool:
        """Whether week `number` has begun (an ended engagement begins no more weeks)."""
        state = self.state
        if state.last_week is not None and number > state.last_week:
            return False
        return self._week(number).starts_at <= workflow.now()

    def _week(self, number: int) -> Week:
        state = self.state
        return week(state.start_date, number, state.billing_tz, state.ended_at)

    def _open_week(self, number: int) -> WeekState | None:
        return next((w for w in self.state.open_weeks if w.week == number), None)

    async def _open_weeks_until(self, number: int) -> None:
        """Open every started week up to `number`: a handler may come before the week's timer."""
        while self.state.next_week_to_open <= number and self._week_started(
            self.state.next_week_to_open
        ):
            await self._open_next_week()

    def _add_week(self, number: int) -> WeekState:
        state = self.state
        if state.status == EngagementStatus.SCHEDULED:
            state.status = EngagementStatus.ACTIVE
        bounds = self._week(number)
        terms = state.terms_for_week(number)
        opened = WeekState(
            week=number,
            first_day=bounds.first_day,
            ends_at=bounds.ends_at,
            review_until=bounds.review_until,
            scheduled_hours=terms.hours_per_week,
            hourly_rate_cents=terms.hourly_rate_cents,
        )
        state.open_weeks.append(opened)
        state.next_week_to_open = number + 1
        return opened

    # --- what happens on the clock -----------------------------------------------------------

    async def _charge_first_month(self) -> None:
        state = self.state
        proration = prorated_seat_fee(state.seat_fee_cents, state.signed_at, state.billing_tz)
        state.next_fee_month = next_month(proration.billing_date)
        await self._ledger(
            "seat_fee",
            month_key(proration.billing_date),
            proration.cents,
            proration.billing_date,
            f"Seat fee {month_key(proration.billing_date)}, prorated "
            f"{proration.days_remaining}/{proration.days_in_month} days of "
            f"{format_cents(state.seat_fee_cents, state.currency)}",
        )

    async def _charge_month(self) -> bool:
        state = self.state
        month = state.next_fee_month
        assert month is not None
        state.next_fee_month = next_month(month)
        await self._ledger(
            "seat_fee",
            month_key(month),
            state.seat_fee_cents,
            month,
            f"Seat fee {month_key(month)}",
        )
        return True

    async def _open_next_week(self) -> bool:
        opened = self._add_week(self.state.next_week_to_open)
        if opened.week == 1:
            await self._project()  # now active
        await self._project_week(opened)
        return False

    async def _remind_training(self) -> bool:
        self.state.training_reminded = True
        await self._tell_owner("training_reminder", self._start_context())
        return False

    def _reminder_for(self, open_week: WeekState) -> Callable[[], Awaitable[bool]]:
        async def remind() -> bool:
            open_week.reminded = True
            await self._tell_contractor(
                "timesheet_reminder",
                {
                    "week": open_week.week,
                    "first_day": open_week.first_day.isoformat(),
                    "review_until": open_week.review_until,
                },
                event=f"week-{open_week.week}",
            )
            return False

        return remind

    async def _settle_next_week(self) -> bool:
        """The review window closed: the week pays its approved hours × its rate."""
        state = self.state
        settling = self._open_week(state.next_week_to_settle)
        assert settling is not None
        hours = approved_hours(
            settling.hours, settling.scheduled_hours, settling.review, settling.corrected_hours
        )
        payout = pay_cents(hours, settling.hourly_rate_cents)
        settling.paid_hours = hours
        settling.payout_cents = payout
        settling.status = WeekStatus.MISSED if settling.hours is None else WeekStatus.PAID
        state.open_weeks.remove(settling)
        state.next_week_to_settle += 1
        if payout > 0:
            await self._ledger(
                "payout",
                f"week-{settling.week}",
                payout,
                billing_date(settling.review_until, state.billing_tz),
                f"Week {settling.week} from {settling.first_day.isoformat()}: {hours} h × "
                f"{format_cents(settling.hourly_rate_cents, state.currency)}",
            )
        await self._project_week(settling)
        if payout > 0:
            await self._tell_contractor(
                "payout_released",
                {
                    "week": settling.week,
                    "hours": hours,
                    "amount": format_cents(payout, state.currency),
                },
                event=f"week-{settling.week}",
            )
        return True

    # --- what the contractor and the client can do -------------------------------------------

    @workflow.update(
        description="The contractor submits a week's hours (again, until the client reviews them)."
    )
    async def submit_timesheet(self, request: TimesheetRequest) -> WeekState:
        await self._open_weeks_until(request.week)
        submitted = self._open_week(request.week)
        assert submitted is not None
        submitted.hours = request.hours
        submitted.submitted_at = workflow.now()
        submitted.status = WeekStatus.SUBMITTED
        await self._project_week(submitted)
        await self._tell_owner(
            "timesheet_submitted",
            {
                "week": submitted.week,
                "hours": request.hours,
                "scheduled_hours": submitted.scheduled_hours,
                "review_until": submitted.review_until,
            },
            event=f"week-{submitted.week}-r{submitted.revision}",
        )
        return submitted

    @submit_timesheet.validator
    def _check_submit_timesheet(self, request: TimesheetRequest) -> None:
        state = self.state
        if state.last_week is not None and request.week > state.last_week:
            conflict(f"the engagement ended in week {state.last_week}")
        bounds = self._week(request.week)
        now = workflow.now()
        if now < bounds.starts_at:
            conflict(f"week {request.week} starts on {bounds.first_day.isoformat()}")
        if request.week < state.next_week_to_settle or now >= bounds.review_until:
            conflict(f"week {request.week} is closed: its review window ended")
        existing = self._open_week(request.week)
        if existing is not None and existing.review != Review.NONE:
            conflict(f"week {request.week} was already {existing.review.value} by the client")

    @workflow.update(description="The client approves a week's hours as submitted.")
    async def approve_timesheet(self, request: ApproveRequest) -> WeekState:
        """Approve the hours as submitted, those over the weekly schedule included."""
        approved = self._reviewable(request.week)
        approved.review = Review.APPROVED
        approved.status = WeekStatus.APPROVED
        await self._project_week(approved)
        return approved

    @approve_timesheet.validator
    def _check_approve_timesheet(self, request: ApproveRequest) -> None:
        self._reviewable(request.week)

    @workflow.update(
        description="The client disputes a week's hours, with corrected hours and a reason."
    )
    async def dispute_timesheet(self, request: DisputeRequest) -> WeekState:
        disputed = self._reviewable(request.week)
        disputed.review = Review.DISPUTED
        disputed.status = WeekStatus.DISPUTED
        disputed.corrected_hours = request.corrected_hours
        disputed.dispute_reason = request.reason
        await self._project_week(disputed)
        await self._tell_contractor(
            "timesheet_disputed",
            {
                "week": disputed.week,
                "hours": disputed.hours,
                "corrected_hours": request.corrected_hours,
                "reason": request.reason,
            },
            event=f"week-{disputed.week}",
        )
        return disputed

    @dispute_timesheet.validator
    def _check_dispute_timesheet(self, request: DisputeRequest) -> None:
        disputed = self._reviewable(request.week)
        assert disputed.hours is not None
        if request.corrected_hours > disputed.hours:
            invalid(
                f"corrected_hours ({request.corrected_hours}) must not exceed the submitted "
                f"hours ({disputed.hours})"
            )

    @workflow.update(description="The client changes the rate or schedule, from the next week on.")
    async def change_terms(self, request: TermsRequest) -> TermsChange:
        """New rate or schedule, from the next week on."""
        state = self.state
        from_week = week_number_at(state.start_date, workflow.now(), state.billing_tz) + 1
        changed = request.model_dump(exclude={"by"}, exclude_none=True)
        terms = Schedule.model_validate({**state.terms_for_week(from_week).model_dump(), **changed})
        change = TermsChange(from_week=from_week, terms=terms, requested_at=workflow.now())
        state.terms_schedule = [c for c in state.terms_schedule if c.from_week < from_week]
        state.terms_schedule.append(change)
        await self._project()
        await self._tell_contractor(
            "terms_changed",
            {
                "from_week": from_week,
                "first_day": self._week(from_week).first_day.isoformat(),
                "hourly_rate": format_cents(change.terms.hourly_rate_cents, state.currency),
                "hours_per_week": change.terms.hours_per_week,
            },
            event=f"terms-{len(state.terms_schedule)}-{from_week}",
        )
        return change

    @change_terms.validator
    def _check_change_terms(self, request: TermsRequest) -> None:
        self._check_not_ended()
        if not request.model_dump(exclude={"by"}, exclude_none=True):
            invalid("nothing to change")

    @workflow.update(
        description="End the engagement now: no more weeks or fees; the last week is still paid."
    )
    async def end(self, request: EndRequest) -> EngagementState:
        """Ends now: no more weeks or fees (and no refund); the last week is still paid."""
        state = self.state
        now = workflow.now()
        await self._open_weeks_until(week_number_at(state.start_date, now, state.billing_tz))
        state.ended_at = now
        state.end_reason = request.reason
        state.status = EngagementStatus.ENDED
        state.last_week = state.next_week_to_open - 1
        for open_week in state.open_weeks:  # the last week is cut short at the end
            bounds = self._week(open_week.week)
            open_week.ends_at, open_week.review_until = bounds.ends_at, bounds.review_until
        self.wake = True
        await self._project()
        await self._tell_contractor(
            "engagement_ended", {"reason": request.reason, "last_week": state.last_week}
        )
        return state

    @end.validator
    def _check_end(self, request: EndRequest) -> None:
        self._check_not_ended()

    @workflow.query(description="The engagement's terms, weeks, charges and payouts so far.")
    def status(self) -> EngagementState:
        return self.state

    # --- bookkeeping ------------------------------------------------------------------------

    def _check_not_ended(self) -> None:
        if self.state.ended_at is not None:
            conflict("this engagement has ended")

    def _reviewable(self, number: int) -> WeekState:
        reviewed = self._open_week(number)
        if reviewed is None or reviewed.hours is None:
            conflict(f"week {number} has no timesheet to review")
        if reviewed.review != Review.NONE:
            conflict(f"week {number} was already {reviewed.review.value}")
        if workflow.now() >= reviewed.review_until:
            conflict(f"the review window of week {number} has closed")
        return reviewed

    async def _ledger(
        self,
        kind: Literal["seat_fee", "payout"],
        period: str,
        cents: int,
        effective_on: date,
        description: str,
    ) -> None:
        state = self.state
        await run_activity(
            LedgerActivities.record_ledger_entry,
            LedgerWrite(
                engagement_id=state.engagement_id,
                company_id=state.company_id,
                contractor_id=state.contractor_id,
                kind=kind,
                period=period,
                amount_cents=cents,
                currency=state.currency,
                effective_on=effective_on,
                description=description,
                recorded_at=workflow.now(),
            ),
        )
        if kind == "seat_fee":
            state.charged_cents += cents
        else:
            state.paid_cents += cents

    async def _project(self) -> None:
        state = self.state
        state.projection_version += 1
        self._show()
        await project(
            EngagementActivities.project_engagement,
            EngagementProjection(state=state, at=workflow.now()),
            self.outbox,
        )

    async def _project_week(self, changed: WeekState) -> None:
        changed.revision += 1
        state = self.state
        self._show()
        await project(
            EngagementActivities.project_week,
            WeekProjection(
                engagement_id=state.engagement_id,
                company_id=state.company_id,
                contractor_id=state.contractor_id,
                week=changed.model_copy(),
            ),
            self.outbox,
        )

    def _review_due_at(self) -> datetime | None:
        """When the review window of the earliest week awaiting the client's review closes."""
        awaiting = [
            w.review_until for w in self.state.open_weeks if w.status == WeekStatus.SUBMITTED
        ]
        return min(awaiting, default=None)

    def _show(self) -> None:
        """The engagement's status and the review it awaits in its search attributes, and what
        it waits for in words in the UI."""
        state = self.state
        review_due = None if self.finished else self._review_due_at()
        sa.keep_current(
            [
                sa.ENGAGEMENT_STATUS.value_set(state.status.value),
                sa.moment(sa.DUE_AT, review_due),
            ]
        )
        week_part = f", week {state.next_week_to_open - 1}" if state.next_week_to_open > 1 else ""
        parts = [f"Engagement {state.status.value}{week_part}"]
        if review_due is not None:
            parts.append(
                f"waiting for the client's review of a timesheet until {at_utc(review_due)}"
            )
        upcoming = None if self.finished else self._next_event()
        if upcoming is not None:
            parts.append(f"next: {upcoming.what} at {at_utc(upcoming.at)}")
        workflow.set_current_details("; ".join(parts))

    def _start_context(self) -> dict[str, object]:
        return {"start_date": self.state.start_date.isoformat()}

    async def _tell_contractor(
        self, template: str, extra: dict[str, object], event: str = ""
    ) -> None:
        await self._tell(self.state.contractor_id, template, extra, event)

    async def _tell_owner(self, template: str, extra: dict[str, object], event: str = "") -> None:
        await self._tell(self.state.owner_id, template, extra, event)

    async def _tell(
        self, user_id: str, template: str, extra: dict[str, object], event: str
    ) -> None:
        state = self.state
        event_key = ":".join(filter(None, [state.engagement_id, template, event]))
        notice = Notice(
            recipient_ids=[user_id],
            template=template,
            event_key=event_key,
            context={
                "engagement_id": state.engagement_id,
                "job_post_id": state.job_post_id,
                "company_id": state.company_id,
                "contractor_id": state.contractor_id,
                **extra,
            },
            link=f"/engagements/{state.engagement_id}",
        )
        await tell(self.outbox, NOTICES_PATCH, notice)
