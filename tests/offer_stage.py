"""Driving a candidacy through the API to the offer stage, with a one-round plan: invite, one
screening slot, interview request, claim, the interview, outcome, advance."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.helpers import wait_for_stage
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
        return f"offer-{self.job['id']}-{self.contractor.id}"

    @property
    def engagement_id(self) -> str:
        return f"engagement-{self.job['id']}-{self.contractor.id}"


async def candidacy_at_offer(
    stack: Stack, client: Actor | None = None, *, plan: str = "standard", billing_tz: str = "UTC"
) -> AtOffer:
    client = client or await stack.client_user(plan=plan, billing_tz=billing_tz)
    contractor = await stack.contractor()
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    invited = await stack.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": contractor.id},
        headers=client.auth,
    )
    assert invited.status_code == 201, invited.text
    candidacy_id = invited.json()["id"]
    now = await stack.env.get_current_time()
    start = (now + timedelta(hours=3)).replace(second=0, microsecond=0)
    slots = await stack.http.post(
        f"/job-posts/{job['id']}/rounds/1/slots",
        json={"slots": [{"start": start.isoformat(), "duration_minutes": 15}]},
        headers=client.auth,
    )
    assert slots.status_code == 201, slots.text
    requested = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests", json={}, headers=client.auth
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]
    claimed = await stack.http.post(
        f"/interviews/{interview_id}/claim",
        json={"slot_id": slots.json()[0]["id"]},
        headers=contractor.auth,
    )
    assert claimed.status_code == 200, claimed.text
    await stack.env.sleep(start + timedelta(minutes=16) - await stack.env.get_current_time())
    outcome = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert outcome.status_code == 200, outcome.text
    await wait_for_stage(stack, candidacy_id, client, "decision_pending")
    advanced = await stack.http.post(
        f"/candidacies/{candidacy_id}/decision", json={"decision": "advance"}, headers=client.auth
    )
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
