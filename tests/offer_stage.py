"""Driving a candidacy through the API to the offer stage, with a one-round plan: invite, one
screening slot, interview request, claim, the interview, outcome, advance."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.offers import engagement_workflow_id, offer_workflow_id
from tests.helpers import wait_for_stage
from tests.scheduling import booked, complete, decide, invited, request_interview, slot_ids
from tests.stack import Actor, Stack

ONE_ROUND = [{"kind": "screening", "duration_minutes": 15}]


@dataclass
class AtOffer:
    client: Actor
    contractor: Actor
    job: dict[str, Any]
    candidacy_id: str

    @property
    def offer_id(self) -> str:
        return offer_workflow_id(self.job["id"], self.contractor.id)

    @property
    def engagement_id(self) -> str:
        return engagement_workflow_id(self.job["id"], self.contractor.id)


async def candidacy_at_offer(
    stack: Stack, client: Actor | None = None, *, plan: str = "standard", billing_tz: str = "UTC"
) -> AtOffer:
    client = client or await stack.client_user(plan=plan, billing_tz=billing_tz)
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    contractor, candidacy_id = await invited(stack, client, job)
    now = await stack.env.get_current_time()
    start = (now + timedelta(hours=3)).replace(second=0, microsecond=0)
    [slot_id] = await slot_ids(stack, client, job["id"], [start], minutes=15)
    interview_id = await request_interview(stack, client, candidacy_id)
    await booked(stack, contractor, interview_id, slot_id)
    await complete(stack, client, interview_id, start + timedelta(minutes=15))
    await wait_for_stage(stack, candidacy_id, client, "decision_pending")
    advanced = await decide(stack, client, candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    await wait_for_stage(stack, candidacy_id, client, "offer")
    return AtOffer(client, contractor, job, candidacy_id)


def offer_terms(start_date: date, **changes: Any) -> dict[str, Any]:
    return {
        "hourly_rate_cents": 4000,
        "hours_per_week": 20,
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "start_date": start_date.isoformat(),
        "message": "Welcome aboard!",
        **changes,
    }
