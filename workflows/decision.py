"""The follow-ups of a round's decision, run by CandidacyWorkflow beside its wait for the client:
the business-day decision clock (reminders to the client, "still under review" to the contractor)
and the reminders to panel members whose scorecards are missing.

Both are plain coroutines over workflow time; each returns as soon as `settled()` is true (the
decision landed or the candidacy ended), so nothing is sent after that.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import CandidacyStart, CandidacyState, InterviewResult
    from contracts.notify import Notice
    from domain.business_days import parse_holidays
    from domain.decision_clock import Tick, contractor_update_at, decision_clock, ticks_from
    from domain.scorecards import missing_members, reminder_times, reminders_from
    from workflows.common import tell, wait_until
    from workflows.outbox import Outbox

# The candidacy's main loop (review reminders, the decision clock, scorecard reminders) queues its
# notices in the outbox instead of waiting for each send.
QUEUED_NOTICES_PATCH = "candidacy-main-loop-notices-queued"

Settled = Callable[[], bool]


@dataclass(frozen=True)
class RoundReview:
    """One completed round awaiting the client's decision."""

    candidacy_id: str
    job_post_id: str
    contractor_id: str
    owner_id: str
    round: int
    interview_id: str
    ended_at: datetime  # the interview's end; when the outcome arrived if it has no booking
    client_tz: str
    holidays: frozenset[date]

    @classmethod
    def of(
        cls, start: CandidacyStart, round_: int, result: InterviewResult, now: datetime
    ) -> "RoundReview":
        return cls(
            candidacy_id=start.candidacy_id,
            job_post_id=start.job_post_id,
            contractor_id=start.contractor_id,
            owner_id=start.owner_id,
            round=round_,
            interview_id=result.interview_id,
            ended_at=result.booking.end if result.booking else now,
            client_tz=start.client_tz,
            holidays=parse_holidays(start.holidays),
        )

    @property
    def news_by(self) -> datetime:
        """When the contractor hears at the latest: the decision or "still under review"."""
        return contractor_update_at(self.ended_at, self.client_tz, self.holidays)

    @property
    def context(self) -> dict[str, object]:
        return {
            "candidacy_id": self.candidacy_id,
            "job_post_id": self.job_post_id,
            "contractor_id": self.contractor_id,
            "interview_id": self.interview_id,
            "round": self.round,
            "ended_at": self.ended_at,
        }


async def run_decision_clock(
    review: RoundReview, state: CandidacyState, settled: Settled, outbox: Outbox
) -> None:
    """Remind the client at 3, 5 and every business day after until the decision; tell the
    contractor at 5. Keeps `state.next_update_by` on the moment the contractor hears at the
    latest."""
    ticks = decision_clock(review.ended_at, review.client_tz, review.holidays)
    promised = review.news_by
    state.next_update_by = promised
    try:
        for tick in ticks_from(ticks, workflow.now()):
            if await wait_until(tick.at, settled, _tick_summary(review, tick)):
                return
            await _tick(review, state, tick, settled, outbox)
    finally:
        if state.next_update_by == promised:
            state.next_update_by = None


def _tick_summary(review: RoundReview, tick: Tick) -> str:
    told = [
        *(["decision reminder to the client"] if tick.remind_client else []),
        *(["still under review to the contractor"] if tick.update_contractor else []),
    ]
    return (
        f"round {review.round}, {tick.business_days} business days: {' and '.join(told) or 'check'}"
    )


async def _tick(
    review: RoundReview, state: CandidacyState, tick: Tick, settled: Settled, outbox: Outbox
) -> None:
    key = f"{review.candidacy_id}:r{review.round}"
    context = {**review.context, "business_days": tick.business_days, "on_hold": state.on_hold}

    async def tell_one(recipient_id: str, template: str, event: str) -> None:
        notice = Notice(
            event_key=f"{key}:{event}",
            template=template,
            recipient_ids=[recipient_id],
            context=context,
            link=f"/candidacies/{review.candidacy_id}",
        )
        await tell(outbox, QUEUED_NOTICES_PATCH, notice)

    if tick.update_contractor:
        await tell_one(
            review.contractor_id, "decision_still_under_review", "decision_still_under_review"
        )
        state.next_update_by = None
    if tick.remind_client and not settled():
        await tell_one(
            review.owner_id, "decision_reminder", f"decision_reminder:{tick.business_days}"
        )


@dataclass
class Scorecards:
    """Who has sent a scorecard for each interview of the candidacy (the panels themselves are on
    the candidacy's InterviewRefs). Kept out of CandidacyState: the contractor reads that."""

    submitted: dict[str, set[str]] = field(default_factory=dict)

    def has(self, interview_id: str, member_id: str) -> bool:
        return member_id in self.submitted.get(interview_id, set())

    def record(self, interview_id: str, member_id: str) -> None:
        self.submitted.setdefault(interview_id, set()).add(member_id)

    def missing(self, interview_id: str, panel: list[str]) -> list[str]:
        return missing_members(panel, self.submitted.get(interview_id, set()))


async def remind_missing_scorecards(
    review: RoundReview,
    panel: list[str],
    scorecards: Scorecards,
    settled: Settled,
    outbox: Outbox,
) -> None:
    """Remind each panel member without a scorecard 1 h after the end, then every business day,
    until all are in, the decision lands or the candidacy ends."""

    def done() -> bool:
        return settled() or not scorecards.missing(review.interview_id, panel)

    times = reminder_times(review.ended_at, review.client_tz, review.holidays)
    for number, at in enumerate(reminders_from(times, workflow.now()), start=1):
        if await wait_until(at, done, f"scorecard reminder {number} for round {review.round}"):
            return
        await tell(
            outbox,
            QUEUED_NOTICES_PATCH,
            Notice(
                event_key=f"{review.interview_id}:scorecard_reminder:{number}",
                template="scorecard_reminder",
                recipient_ids=scorecards.missing(review.interview_id, panel),
                context=review.context,
                link=f"/interviews/{review.interview_id}",
            ),
        )
