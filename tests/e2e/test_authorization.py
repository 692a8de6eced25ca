"""Everyone acts only on what is theirs: someone else's job post, candidacy or interview answers
404, exactly as one that does not exist; no token, or an unknown one, answers 401."""

from dataclasses import asdict, dataclass
from typing import Any

import pytest

from tests.scheduling import shortlisted_with_request, slot_days_ahead
from tests.stack import Actor, Stack


@dataclass
class World:
    """A job post of one company with a candidacy in round 1 and an open slot, and outsiders."""

    owner: Actor
    stranger: Actor  # a client of another company
    contractor: Actor  # the candidacy's
    outsider: Actor  # another contractor
    job: str
    candidacy: str
    interview: str
    slot: str


@pytest.fixture(scope="module")
async def world(stack: Stack) -> World:
    owner = await stack.client_user()
    stranger = await stack.client_user()
    contractor = await stack.contractor()
    outsider = await stack.contractor()
    job = (await stack.job_post(owner))["id"]
    candidacy, interview = await shortlisted_with_request(stack, owner, contractor, job)
    slot = await slot_days_ahead(stack, owner, job, days=2)
    return World(
        owner=owner,
        stranger=stranger,
        contractor=contractor,
        outsider=outsider,
        job=job,
        candidacy=candidacy,
        interview=interview,
        slot=slot,
    )


def _slot_body() -> dict[str, Any]:
    return {"slots": [{"start": "2030-01-07T10:00:00+00:00", "duration_minutes": 30}]}


# (method, path, body): every route so far that takes the id of a job post, candidacy or
# interview. Bodies are valid, so that only ownership decides the answer.
JOB_POST_ROUTES = {
    "get job post": ("GET", "/job-posts/{job}", None),
    "close job post": ("POST", "/job-posts/{job}/close", None),
    "candidate list": ("GET", "/job-posts/{job}/candidates?list=best_matches", None),
    "applicants list": ("GET", "/job-posts/{job}/candidates?list=applicants", None),
    "star": ("PUT", "/job-posts/{job}/saved/{outsider_id}", None),
    "unstar": ("DELETE", "/job-posts/{job}/saved/{outsider_id}", None),
    "handpick": ("POST", "/job-posts/{job}/handpicked", {"contractor_id": "{outsider_id}"}),
    "invite": ("POST", "/job-posts/{job}/invitations", {"contractor_id": "{outsider_id}"}),
    "propose slots": ("POST", "/job-posts/{job}/rounds/1/slots", _slot_body()),
    "list slots": ("GET", "/job-posts/{job}/rounds/1/slots", None),
    "withdraw slot": ("DELETE", "/job-posts/{job}/rounds/1/slots/{slot}", None),
}
CANDIDACY_ROUTES = {
    "get candidacy": ("GET", "/candidacies/{candidacy}", None),
    "shortlist": ("POST", "/candidacies/{candidacy}/shortlist", None),
    "reject": ("POST", "/candidacies/{candidacy}/reject", {"feedback": "no"}),
    "withdraw": ("POST", "/candidacies/{candidacy}/withdraw", {"reason": "no"}),
    "request interview": ("POST", "/candidacies/{candidacy}/interview-requests", {}),
    "decide": ("POST", "/candidacies/{candidacy}/decision", {"decision": "advance"}),
}
INTERVIEW_ROUTES = {
    "get interview": ("GET", "/interviews/{interview}", None),
    "claim": ("POST", "/interviews/{interview}/claim", {"slot_id": "{slot}"}),
    "outcome": ("POST", "/interviews/{interview}/outcome", {"outcome": "completed"}),
    "calendar invite": ("GET", "/interviews/{interview}/invite.ics", None),
    "join": ("GET", "/interviews/{interview}/join", None),
}
ROUTES = {**JOB_POST_ROUTES, **CANDIDACY_ROUTES, **INTERVIEW_ROUTES}
# A contractor's own routes on someone else's candidacy or interview.
CONTRACTOR_ROUTES = [
    "get candidacy",
    "withdraw",
    "get interview",
    "claim",
    "calendar invite",
    "join",
    "list slots",
]


def _fill(value: Any, world: World) -> Any:
    names = {k: v for k, v in asdict(world).items() if isinstance(v, str)}
    names["outsider_id"] = world.outsider.id
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


async def _call(stack: Stack, world: World, route: str, headers: dict[str, str], **ids: str) -> Any:
    method, path, body = ROUTES[route]
    filled = _fill(path, world)
    for name, value in ids.items():  # a made-up id in place of a real one
        filled = filled.replace(getattr(world, name), value)
    return await stack.http.request(method, filled, json=_fill(body, world), headers=headers)


@pytest.mark.parametrize("route", list(ROUTES))
async def test_a_client_of_another_company_gets_404(stack: Stack, world: World, route: str) -> None:
    response = await _call(stack, world, route, world.stranger.auth)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("route", ["get job post", "get candidacy", "get interview", "claim"])
async def test_someone_elses_answers_as_one_that_does_not_exist(
    stack: Stack, world: World, route: str
) -> None:
    theirs = await _call(stack, world, route, world.stranger.auth)
    made_up = await _call(
        stack,
        world,
        route,
        world.stranger.auth,
        job="jp_0000000000",
        candidacy=f"candidacy-jp_0000000000-{world.contractor.id}",
        interview=f"interview-jp_0000000000-{world.contractor.id}-r1",
    )
    assert (theirs.status_code, theirs.json()) == (made_up.status_code, made_up.json())


@pytest.mark.parametrize("route", CONTRACTOR_ROUTES)
async def test_a_contractor_gets_404_on_someone_elses(
    stack: Stack, world: World, route: str
) -> None:
    response = await _call(stack, world, route, world.outsider.auth)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("route", list(ROUTES))
async def test_no_token_is_401(stack: Stack, world: World, route: str) -> None:
    missing = await _call(stack, world, route, {})
    unknown = await _call(stack, world, route, {"Authorization": "Bearer not-a-token"})
    assert (missing.status_code, unknown.status_code) == (401, 401)
    assert missing.headers["www-authenticate"] == "Bearer"


async def test_the_owner_still_sees_everything_untouched(stack: Stack, world: World) -> None:
    """After every refused call above, nothing changed: the job post is open, the candidacy
    interviewing, the slot open, nobody starred, handpicked or invited."""
    job = await stack.http.get(f"/job-posts/{world.job}", headers=world.owner.auth)
    assert job.json()["status"] == "open"
    candidacy = await stack.http.get(f"/candidacies/{world.candidacy}", headers=world.owner.auth)
    assert candidacy.json()["stage"] == "interviewing"
    interview = await stack.http.get(f"/interviews/{world.interview}", headers=world.owner.auth)
    assert interview.json()["status"] == "awaiting_slot"
    slots = await stack.http.get(f"/job-posts/{world.job}/rounds/1/slots", headers=world.owner.auth)
    assert [s["id"] for s in slots.json()] == [world.slot]
    for name in ("saved", "handpicked"):
        listed = await stack.http.get(
            f"/job-posts/{world.job}/candidates", params={"list": name}, headers=world.owner.auth
        )
        assert listed.json()["total"] == 0, name
    outsider = await stack.http.get(
        "/candidacies", params={"job_post_id": world.job}, headers=world.outsider.auth
    )
    assert outsider.json()["total"] == 0


async def test_lists_show_only_ones_own(stack: Stack, world: World) -> None:
    posts = await stack.http.get("/job-posts", headers=world.stranger.auth)
    assert world.job not in [p["id"] for p in posts.json()["items"]]
    candidacies = await stack.http.get(
        "/candidacies", params={"job_post_id": world.job}, headers=world.stranger.auth
    )
    assert candidacies.json()["total"] == 0
    own = await stack.http.get("/candidacies", headers=world.contractor.auth)
    assert [c["id"] for c in own.json()["items"]] == [world.candidacy]


async def test_applying_to_a_closed_job_post_is_409(stack: Stack, world: World) -> None:
    job = (await stack.job_post(world.owner))["id"]
    closed = await stack.http.post(f"/job-posts/{job}/close", headers=world.owner.auth)
    assert closed.status_code == 200, closed.text
    applied = await stack.http.post(f"/job-posts/{job}/applications", headers=world.outsider.auth)
    assert applied.status_code == 409
    assert "closed" in applied.json()["detail"]
