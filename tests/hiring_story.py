"""The whole hiring story through the API with each call made straight after the previous
answer, no polling between them: apply (or be invited), shortlist, request round 1, claim at the
first `awaiting_slot`, cancel and claim another slot at once, the interview, outcome, advance,
round 2 requested and claimed at once, outcome, advance, offer, accept. Told to, the offer is
countered and revised before the accept, and the engagement that follows gets week 1's timesheet
submitted and approved.

The stories of a batch share the test server's clock, so each runs in phases and the batch
skips time between them (to just after every interview of the phase has ended)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from tests.offer_stage import offer_terms
from tests.scheduling import claim, invited, now_of, request_interview, slot_ids
from tests.stack import Actor, Stack

TWO_ROUNDS = [
    {"kind": "screening", "duration_minutes": 15},
    {"kind": "final", "duration_minutes": 45},
]
AFTER_THE_END = timedelta(minutes=5)
WORK_STARTS_IN = timedelta(days=1)  # the offer's start date, from the day it is sent


@dataclass
class Story:
    stack: Stack
    number: int
    client: Actor | None = None
    contractor: Actor | None = None
    job: dict[str, Any] = field(default_factory=dict)
    candidacy_id: str = ""
    interviews: list[str] = field(default_factory=list)
    ends: list[datetime] = field(default_factory=list)  # of the interview of each round
    start_date: date | None = None  # of the engagement, once hired by `to_hired_after_a_counter`
    answers: list[tuple[str, int]] = field(default_factory=list)  # every call, with its status

    @property
    def refused(self) -> list[tuple[str, int]]:
        return [(call, status) for call, status in self.answers if status >= 400]

    # --- calls --------------------------------------------------------------------------

    async def _call(
        self, who: Actor, method: str, path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        response = await self.stack.http.request(method, path, json=body, headers=who.auth)
        self.answers.append((f"{method} {path}", response.status_code))
        assert response.status_code < 400, f"{method} {path}: {response.text}"
        return response

    async def _client(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self.client is not None
        return (await self._call(self.client, method, path, body)).json()

    async def _contractor(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self.contractor is not None
        return (await self._call(self.contractor, method, path, body)).json()

    async def _claim(self, interview_id: str, slot_id: str) -> None:
        assert self.contractor is not None
        response = await claim(self.stack, self.contractor, interview_id, slot_id)
        self.answers.append((f"POST /interviews/{interview_id}/claim", response.status_code))
        assert response.status_code == 200, response.text

    async def _round_is(self, status: str) -> None:
        """The candidacy shows the current round's interview as `status`."""
        candidacy = await self._client("GET", f"/candidacies/{self.candidacy_id}")
        shown = candidacy["interviews"][-1]["status"]
        assert shown == status, f"the candidacy shows the round as {shown}, not {status}"

    async def _interview_status(self, interview_id: str) -> str:
        return str((await self._client("GET", f"/interviews/{interview_id}"))["status"])

    # --- phases -------------------------------------------------------------------------

    async def to_round_one_rebooked(self) -> None:
        """A candidacy with round 1 booked, cancelled by the contractor and claimed again at
        once in the other slot."""
        stack = self.stack
        self.client = await stack.client_user()
        self.job = await stack.job_post(self.client, interview_plan=TWO_ROUNDS)
        if self.number % 2:
            self.contractor, self.candidacy_id = await invited(stack, self.client, self.job)
        else:
            self.contractor = await stack.contractor()
            applied = await self._contractor("POST", f"/job-posts/{self.job['id']}/applications")
            self.candidacy_id = applied["id"]
            shortlisted = await self._client("POST", f"/candidacies/{self.candidacy_id}/shortlist")
            assert shortlisted["stage"] == "shortlisted"
        start = (await now_of(stack) + timedelta(hours=3)).replace(second=0, microsecond=0)
        first, second = await slot_ids(
            stack, self.client, self.job["id"], [start, start + timedelta(hours=1)], 15
        )
        interview_id = await request_interview(stack, self.client, self.candidacy_id)
        self.interviews.append(interview_id)
        status = await self._interview_status(interview_id)
        assert status == "awaiting_slot", status
        await self._claim(interview_id, first)
        await self._round_is("booked")
        cancelled = await self._contractor(
            "POST", f"/interviews/{interview_id}/cancel", {"reason": "A clash came up"}
        )
        assert cancelled["status"] == "awaiting_slot", cancelled["status"]
        await self._round_is("awaiting_slot")
        await self._claim(interview_id, second)
        status = await self._interview_status(interview_id)
        assert status == "booked", status
        await self._round_is("booked")
        self.ends.append(start + timedelta(hours=1, minutes=15))

    async def to_round_two_booked(self) -> None:
        """After round 1's end: outcome, advance, round 2 requested and claimed at once."""
        await self._outcome_and_advance(self.interviews[0], "interviewing")
        assert self.client is not None
        start = (await now_of(self.stack) + timedelta(hours=3)).replace(second=0, microsecond=0)
        [slot_id] = await slot_ids(self.stack, self.client, self.job["id"], [start], 45, n=2)
        interview_id = await request_interview(self.stack, self.client, self.candidacy_id)
        self.interviews.append(interview_id)
        await self._claim(interview_id, slot_id)
        await self._round_is("booked")
        self.ends.append(start + timedelta(minutes=45))

    async def to_hired(self) -> None:
        """After round 2's end: outcome, advance, offer, accept: hired."""
        await self._outcome_and_advance(self.interviews[1], "offer")
        today = (await now_of(self.stack)).date()
        offer = await self._client(
            "POST",
            f"/candidacies/{self.candidacy_id}/offers",
            offer_terms(today + timedelta(days=7)),
        )
        await self._accept(offer["offer_id"], version=1)

    async def to_hired_after_a_counter(self) -> None:
        """After round 2's end: outcome, advance, offer, counter, revise, accept: hired, work
        starting the next day."""
        await self._outcome_and_advance(self.interviews[1], "offer")
        self.start_date = (await now_of(self.stack)).date() + WORK_STARTS_IN
        offer = await self._client(
            "POST", f"/candidacies/{self.candidacy_id}/offers", offer_terms(self.start_date)
        )
        offer_id = offer["offer_id"]
        countered = await self._contractor(
            "POST",
            f"/offers/{offer_id}/counter",
            {"version": 1, "hourly_rate_cents": 4500, "hours_per_week": 25},
        )
        assert countered["status"] == "countered", countered
        revised = await self._client(
            "POST",
            f"/offers/{offer_id}/revise",
            offer_terms(self.start_date, hourly_rate_cents=4500, hours_per_week=25),
        )
        assert revised["version"] == 2, revised
        await self._accept(offer_id, version=2)

    @property
    def week_one_under_way(self) -> datetime:
        """The first day of work at 01:00 (the contractor's time zone is UTC)."""
        assert self.start_date is not None
        return datetime.combine(self.start_date, time(1), UTC)

    async def to_week_one_approved(self) -> None:
        """During week 1 of the engagement: the contractor submits hours, the client approves."""
        assert self.contractor is not None
        engagement = f"/engagements/engagement-{self.job['id']}-{self.contractor.id}"
        submitted = await self._contractor(
            "POST", f"{engagement}/timesheets", {"week": 1, "hours": 12}
        )
        assert submitted["status"] == "submitted", submitted
        approved = await self._client("POST", f"{engagement}/timesheets/1/approve")
        assert approved["status"] == "approved", approved

    async def _accept(self, offer_id: str, version: int) -> None:
        accepted = await self._contractor(
            "POST", f"/offers/{offer_id}/accept", {"version": version}
        )
        assert accepted["status"] == "accepted", accepted
        hired = await self._client("GET", f"/candidacies/{self.candidacy_id}")
        assert hired["stage"] == "hired", hired["stage"]

    async def _outcome_and_advance(self, interview_id: str, next_stage: str) -> None:
        recorded = await self._client(
            "POST", f"/interviews/{interview_id}/outcome", {"outcome": "completed"}
        )
        assert recorded["status"] == "completed"
        candidacy = await self._client("GET", f"/candidacies/{self.candidacy_id}")
        assert candidacy["stage"] == "decision_pending", candidacy["stage"]
        advanced = await self._client(
            "POST", f"/candidacies/{self.candidacy_id}/decision", {"decision": "advance"}
        )
        assert advanced["stage"] == next_stage, advanced["stage"]
