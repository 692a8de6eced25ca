"""The first hiring path end to end, through the HTTP API with the real worker on the
time-skipping server: apply, shortlist, request round 1, claim a slot, interview, outcome,
decision."""

from datetime import timedelta

from tests.stack import Stack


async def test_apply_shortlist_interview_and_advance(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)

    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    assert applied.status_code == 201, applied.text
    candidacy_id = applied.json()["id"]
    assert candidacy_id == f"candidacy-{job['id']}-{contractor.id}"

    shortlisted = await stack.http.post(
        f"/candidacies/{candidacy_id}/shortlist", headers=client.auth
    )
    assert shortlisted.status_code == 200, shortlisted.text
    assert shortlisted.json()["stage"] == "shortlisted"

    now = await stack.env.get_current_time()
    start = (now + timedelta(days=2)).replace(microsecond=0)
    slots = await stack.http.post(
        f"/job-posts/{job['id']}/rounds/1/slots",
        json={"slots": [{"start": start.isoformat(), "duration_minutes": 30}]},
        headers=client.auth,
    )
    assert slots.status_code == 201, slots.text
    slot_id = slots.json()[0]["id"]

    requested = await stack.http.post(
        f"/candidacies/{candidacy_id}/interview-requests",
        json={"message": "Please read our product docs first"},
        headers=client.auth,
    )
    assert requested.status_code == 200, requested.text
    interview_id = requested.json()["interview_id"]
    assert interview_id == f"interview-{job['id']}-{contractor.id}-r1"

    visible = await stack.http.get(
        f"/job-posts/{job['id']}/rounds/1/slots", headers=contractor.auth
    )
    assert [s["id"] for s in visible.json()] == [slot_id]

    claimed = await stack.http.post(
        f"/interviews/{interview_id}/claim", json={"slot_id": slot_id}, headers=contractor.auth
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["slot_id"] == slot_id

    early = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert early.status_code == 409

    await stack.env.sleep(timedelta(days=2, minutes=31))
    outcome = await stack.http.post(
        f"/interviews/{interview_id}/outcome", json={"outcome": "completed"}, headers=client.auth
    )
    assert outcome.status_code == 200, outcome.text

    state = await _wait_for_stage(stack, candidacy_id, client, "decision_pending")
    assert state["round"] == 1

    advanced = await stack.http.post(
        f"/candidacies/{candidacy_id}/decision", json={"decision": "advance"}, headers=client.auth
    )
    assert advanced.status_code == 200, advanced.text
    state = await _wait_for_stage(stack, candidacy_id, client, "interviewing")
    assert state["round"] == 2


async def _wait_for_stage(stack: Stack, candidacy_id: str, actor, stage: str) -> dict:
    for _ in range(50):
        response = await stack.http.get(f"/candidacies/{candidacy_id}", headers=actor.auth)
        if response.json()["stage"] == stage:
            return dict(response.json())
        await stack.env.sleep(timedelta(seconds=1))
    raise AssertionError(f"never reached {stage}: {response.json()}")
