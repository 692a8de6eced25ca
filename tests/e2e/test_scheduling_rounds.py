"""Every round of a job post's interview plan: the candidacy walks each round as its own
interview (`interview-<job>-<contractor>-r<n>`), with its own slots, and reaches the offer stage
only after the client advances the last one."""

from datetime import timedelta

from tests.helpers import skip_to, wait_for_stage
from tests.scheduling import (
    claim,
    decide,
    exactly,
    invited,
    now_of,
    request_interview,
    slot_ids,
)
from tests.stack import Stack

PLAN = [
    {"kind": "screening", "duration_minutes": 20},
    {
        "kind": "technical",
        "duration_minutes": 60,
        "assessment": {"instructions": "Fix the failing test in the repository.", "due_days": 2},
    },
    {"kind": "panel", "duration_minutes": 45},
]


async def test_a_3_round_plan_walks_every_round_to_the_offer(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client, interview_plan=PLAN)
    contractor, candidacy_id = await invited(stack, client, job)

    for number, round_ in enumerate(PLAN, start=1):
        minutes = round_["duration_minutes"]
        start = (await now_of(stack) + timedelta(days=2)).replace(microsecond=0)
        [slot_id] = await slot_ids(stack, client, job["id"], [start], minutes, n=number)
        interview_id = await request_interview(stack, client, candidacy_id)
        assert interview_id == f"interview-{job['id']}-{contractor.id}-r{number}"
        if "assessment" in round_:
            early = await claim(stack, contractor, interview_id, slot_id)
            assert early.status_code == 409
            submitted = await stack.http.post(
                f"/candidacies/{candidacy_id}/assessment/submission",
                json={"link": "https://git.example.com/fix"},
                headers=contractor.auth,
            )
            assert submitted.status_code == 200, submitted.text
        booked = await claim(stack, contractor, interview_id, slot_id)
        assert booked.status_code == 200, booked.text
        state = await wait_for_stage(stack, candidacy_id, client, "interviewing")
        assert state["round"] == number

        await skip_to(stack, start + timedelta(minutes=minutes, seconds=30))
        outcome = await stack.http.post(
            f"/interviews/{interview_id}/outcome",
            json={"outcome": "completed"},
            headers=client.auth,
        )
        assert outcome.status_code == 200, outcome.text
        state = await wait_for_stage(stack, candidacy_id, client, "decision_pending")
        assert state["round"] == number
        advanced = await decide(stack, client, candidacy_id, "advance")
        assert advanced.status_code == 200, advanced.text

    state = await wait_for_stage(stack, candidacy_id, client, "offer")
    assert [i["round"] for i in state["interviews"]] == [1, 2, 3]
    assert {i["status"] for i in state["interviews"]} == {"completed"}
    await exactly(stack, contractor.id, "interview_booked", 3)
    await exactly(stack, contractor.id, "thank_interviewer_nudge", 3)
