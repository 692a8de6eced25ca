"""Job posts and slots refuse bad input with 422 naming the problem: interview plans (round
kinds and durations, at least one round), budgets, time zones; slots (minimum notice of 2 h, at
most 60 days ahead, a duration the round allows, no overlap, a time zone offset)."""

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.stack import Actor, Stack


def _detail(response: httpx.Response) -> str:
    """The 422's explanation as one string: a message, or pydantic's located errors."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return detail
    return "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in detail)


async def _create(stack: Stack, client: Actor, **fields: Any) -> httpx.Response:
    body = {
        "title": "Support lead",
        "budget_min_cents": 3000,
        "budget_max_cents": 5000,
        "industry": "software",
        **fields,
    }
    return await stack.http.post("/job-posts", json=body, headers=client.auth)


async def test_default_interview_plan_is_screening_30_technical_60_final_45(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    plan = [(r["kind"], r["duration_minutes"], r["assessment"]) for r in job["interview_plan"]]
    assert plan == [("screening", 30, None), ("technical", 60, None), ("final", 45, None)]


async def test_every_round_kind_takes_its_allowed_durations(stack: Stack) -> None:
    client = await stack.client_user()
    allowed = {
        "screening": (15, 20, 30),
        "technical": (45, 60),
        "project_deep_dive": (30, 45),
        "panel": (45, 60),
        "final": (45, 60),
    }
    for kind, durations in allowed.items():
        plan = [{"kind": kind, "duration_minutes": d} for d in durations]
        created = await _create(stack, client, interview_plan=plan)
        assert created.status_code == 201, created.text
        assert [r["duration_minutes"] for r in created.json()["interview_plan"]] == list(durations)


async def test_technical_round_of_30_minutes_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    plan = [
        {"kind": "screening", "duration_minutes": 30},
        {"kind": "technical", "duration_minutes": 30},
    ]
    detail = _detail(await _create(stack, client, interview_plan=plan))
    assert "round 2 (technical): duration must be one of 45, 60 minutes, got 30" in detail


async def test_unknown_round_kind_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    plan = [{"kind": "coffee_chat", "duration_minutes": 30}]
    detail = _detail(await _create(stack, client, interview_plan=plan))
    assert "interview_plan.0.kind" in detail
    assert "'screening'" in detail and "'final'" in detail


async def test_empty_interview_plan_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    detail = _detail(await _create(stack, client, interview_plan=[]))
    assert "interview_plan: at least one round is required" in detail


async def test_budget_min_above_max_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    response = await _create(stack, client, budget_min_cents=6000, budget_max_cents=5000)
    assert "budget_min_cents must not exceed budget_max_cents" in _detail(response)


async def test_unknown_time_zone_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    response = await _create(stack, client, tz="Mars/Olympus_Mons")
    assert "unknown time zone 'Mars/Olympus_Mons'" in _detail(response)


async def test_refused_job_posts_are_not_created(stack: Stack) -> None:
    client = await stack.client_user()
    refused = [
        await _create(stack, client, interview_plan=[]),
        await _create(stack, client, tz="Nowhere/City"),
        await _create(stack, client, budget_min_cents=9000),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422]
    listed = await stack.http.get("/job-posts", headers=client.auth)
    assert listed.json()["total"] == 0


# --- slots -----------------------------------------------------------------------------------


async def _propose(
    stack: Stack, client: Actor, job_id: str, *slots: tuple[datetime | str, int]
) -> httpx.Response:
    body = {
        "slots": [
            {"start": s if isinstance(s, str) else s.isoformat(), "duration_minutes": d}
            for s, d in slots
        ]
    }
    return await stack.http.post(
        f"/job-posts/{job_id}/rounds/1/slots", json=body, headers=client.auth
    )


async def _now(stack: Stack) -> datetime:
    return (await stack.env.get_current_time()).replace(microsecond=0)


async def test_slot_one_hour_ahead_breaks_minimum_notice(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    now = await _now(stack)

    detail = _detail(await _propose(stack, client, job["id"], (now + timedelta(hours=1), 30)))
    assert "slots[0]" in detail
    assert "must start at least 2 hours from now (minimum notice)" in detail
    fine = await _propose(stack, client, job["id"], (now + timedelta(hours=2, minutes=5), 30))
    assert fine.status_code == 201, fine.text


async def test_slot_61_days_ahead_is_too_far(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    now = await _now(stack)

    detail = _detail(await _propose(stack, client, job["id"], (now + timedelta(days=61), 30)))
    assert "slots[0]" in detail and "must start at most 60 days from now" in detail
    fine = await _propose(stack, client, job["id"], (now + timedelta(days=59), 30))
    assert fine.status_code == 201, fine.text


async def test_25_minute_screening_slot_is_not_an_allowed_duration(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await _now(stack) + timedelta(days=3)

    detail = _detail(await _propose(stack, client, job["id"], (start, 25)))
    assert "slots[0]" in detail
    assert "duration must be one of 15, 20, 30 minutes for this round" in detail


async def test_slot_overlapping_an_existing_slot_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await _now(stack) + timedelta(days=3)
    existing = await _propose(stack, client, job["id"], (start, 30))
    assert existing.status_code == 201, existing.text

    response = await _propose(
        stack,
        client,
        job["id"],
        (start + timedelta(days=1), 30),
        (start + timedelta(minutes=15), 30),
    )

    detail = _detail(response)
    assert "slots[1]" in detail and "slots[0]" not in detail
    assert "overlaps another open or booked slot of this job post" in detail
    listed = await stack.http.get(f"/job-posts/{job['id']}/rounds/1/slots", headers=client.auth)
    assert [s["id"] for s in listed.json()] == [existing.json()[0]["id"]]
    back_to_back = await _propose(stack, client, job["id"], (start + timedelta(minutes=30), 30))
    assert back_to_back.status_code == 201, back_to_back.text


async def test_slot_without_offset_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await _now(stack) + timedelta(days=3)
    naive = start.replace(tzinfo=None).isoformat()

    response = await _propose(stack, client, job["id"], (start, 30), (naive, 30))

    detail = _detail(response)
    assert "slots[1]" in detail and "offset" in detail


async def test_every_bad_slot_is_named_in_one_answer(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    now = await _now(stack)

    response = await _propose(
        stack,
        client,
        job["id"],
        (now + timedelta(days=2), 30),
        (now + timedelta(hours=1), 30),
        (now + timedelta(days=61), 30),
        (now + timedelta(days=4), 25),
    )

    detail = _detail(response)
    assert "slots[0]" not in detail
    assert "slots[1]" in detail and "minimum notice" in detail
    assert "slots[2]" in detail and "at most 60 days" in detail
    assert "slots[3]" in detail and "15, 20, 30 minutes" in detail
    listed = await stack.http.get(f"/job-posts/{job['id']}/rounds/1/slots", headers=client.auth)
    assert listed.json() == []
