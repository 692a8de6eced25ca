"""Candidate lists of a job post through the HTTP API: best matches ranked by budget and rate,
industry and languages; applicants; saved (starred by the client); handpicked (by ops). Each
test gets a database of its own, so a list holds exactly the contractors the test made."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from store.migrate import upgrade
from tests.closing import close_finished, close_job_post
from tests.mail import MailServer
from tests.stack import Actor, Stack, running_stack


@pytest.fixture
async def lists(
    time_env: WorkflowEnvironment, mail: MailServer, tmp_path: Path
) -> AsyncIterator[Stack]:
    url = f"sqlite:///{tmp_path / 'lists.db'}"
    upgrade(url)
    async with running_stack(time_env, url, mail) as running:
        yield running


FINTECH_POST = {
    "budget_min_cents": 4000,
    "budget_max_cents": 6000,
    "industry": "fintech",
    "languages": ["English", "Spanish"],
}


async def _list(
    stack: Stack, actor: Actor, job_id: str, name: str, page: int = 1, per_page: int = 20
) -> dict[str, Any]:
    response = await stack.http.get(
        f"/job-posts/{job_id}/candidates",
        params={"list": name, "page": page, "per_page": per_page},
        headers=actor.auth,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["contractor_id"] for item in page["items"]]


async def _later(stack: Stack) -> None:
    """A second of the server's time, so list entries get distinct timestamps (skipped at once,
    or passed in real time while work in flight, such as a notification's send, holds the
    test server's clock)."""
    await stack.env.sleep(timedelta(seconds=1))


async def test_best_matches_rank_by_budget_industry_and_languages(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client, **FINTECH_POST)
    perfect = await lists.contractor(5000, ["fintech"], ["English", "Spanish"], name="Perfect")
    # 10% above the budget's top: budget fit 0.8 (32 of 40), one language of two (15 of 30).
    pricey = await lists.contractor(6600, ["Fintech"], ["english"], name="Pricey")
    # In budget with both languages, another industry: 70; two of them tie, ordered by id.
    tie_a = await lists.contractor(4500, ["retail"], ["English", "Spanish"], name="Tie A")
    tie_b = await lists.contractor(4500, ["retail"], ["Spanish", "English"], name="Tie B")
    # Half the budget's low end: no budget points.
    cheap = await lists.contractor(2000, ["fintech"], ["Spanish"], name="Cheap")
    # 25% below: budget fit 0.5 (20); no industry, no language.
    far = await lists.contractor(3000, ["retail"], ["French"], name="Far")
    ties = sorted([tie_a.id, tie_b.id])

    first = await _list(lists, client, job["id"], "best_matches", page=1, per_page=4)
    second = await _list(lists, client, job["id"], "best_matches", page=2, per_page=4)

    assert (first["total"], first["page"], first["per_page"]) == (6, 1, 4)
    assert (second["total"], second["page"], second["per_page"]) == (6, 2, 4)
    assert _ids(first) == [perfect.id, pricey.id, *ties]
    assert _ids(second) == [cheap.id, far.id]
    scores = [item["match_score"] for item in first["items"] + second["items"]]
    assert scores == [100, 77, 70, 70, 45, 20]
    card = first["items"][0]
    assert card["name"] == "Perfect"
    assert card["hourly_rate_cents"] == 5000
    assert card["industries"] == ["fintech"]
    assert card["languages"] == ["English", "Spanish"]
    assert card["tz"] == "UTC"
    assert (card["saved"], card["candidacy_id"], card["stage"]) == (False, None, None)
    assert "email" not in card
    assert perfect.email not in str(first) and far.email not in str(second)

    past_the_end = await _list(lists, client, job["id"], "best_matches", page=3, per_page=4)
    assert (past_the_end["items"], past_the_end["total"]) == ([], 6)


async def test_best_matches_show_saved_and_candidacy(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client, **FINTECH_POST)
    starred = await lists.contractor(5000, ["fintech"], ["English", "Spanish"])
    applicant = await lists.contractor(2000, ["fintech"], ["Spanish"])
    saved = await lists.http.put(f"/job-posts/{job['id']}/saved/{starred.id}", headers=client.auth)
    assert saved.status_code == 200, saved.text
    applied = await lists.http.post(f"/job-posts/{job['id']}/applications", headers=applicant.auth)
    assert applied.status_code == 201, applied.text

    matches = await _list(lists, client, job["id"], "best_matches")

    assert _ids(matches) == [starred.id, applicant.id]
    first, second = matches["items"]
    assert (first["saved"], first["candidacy_id"]) == (True, None)
    assert second["saved"] is False
    assert second["candidacy_id"] == f"candidacy-{job['id']}-{applicant.id}"
    assert second["stage"] == "applied"
    ops = await lists.ops()
    assert _ids(await _list(lists, ops, job["id"], "best_matches")) == [starred.id, applicant.id]
    await _close(lists, client, job["id"])


async def test_applicants_are_those_who_applied_oldest_first(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client, **FINTECH_POST)
    applicants = [await lists.contractor(4000 + 100 * n) for n in range(3)]
    invited = await lists.contractor()
    for contractor in applicants:
        response = await lists.http.post(
            f"/job-posts/{job['id']}/applications", headers=contractor.auth
        )
        assert response.status_code == 201, response.text
        await _later(lists)
    invitation = await lists.http.post(
        f"/job-posts/{job['id']}/invitations",
        json={"contractor_id": invited.id},
        headers=client.auth,
    )
    assert invitation.status_code == 201, invitation.text

    first = await _list(lists, client, job["id"], "applicants", page=1, per_page=2)
    second = await _list(lists, client, job["id"], "applicants", page=2, per_page=2)

    assert (first["total"], second["total"]) == (3, 3)
    assert _ids(first) + _ids(second) == [a.id for a in applicants]
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {item["stage"] for item in first["items"] + second["items"]} == {"applied"}
    assert invited.id not in _ids(first) + _ids(second)
    await _close(lists, client, job["id"])


async def test_saved_star_and_unstar(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client, **FINTECH_POST)
    first, second, third = [await lists.contractor() for _ in range(3)]
    for contractor in (first, second, third):
        starred = await lists.http.put(
            f"/job-posts/{job['id']}/saved/{contractor.id}", headers=client.auth
        )
        assert starred.status_code == 200, starred.text
        assert starred.json()["saved"] is True
        await _later(lists)

    saved = await _list(lists, client, job["id"], "saved", page=1, per_page=2)
    assert (saved["total"], _ids(saved)) == (3, [third.id, second.id])
    assert _ids(await _list(lists, client, job["id"], "saved", page=2, per_page=2)) == [first.id]

    # Starring again changes nothing, not even the order.
    again = await lists.http.put(f"/job-posts/{job['id']}/saved/{first.id}", headers=client.auth)
    assert again.status_code == 200
    saved = await _list(lists, client, job["id"], "saved")
    assert _ids(saved) == [third.id, second.id, first.id]
    assert all(item["saved"] for item in saved["items"])

    for _ in range(2):  # unstarring is idempotent too
        unstarred = await lists.http.delete(
            f"/job-posts/{job['id']}/saved/{second.id}", headers=client.auth
        )
        assert unstarred.status_code == 204
    saved = await _list(lists, client, job["id"], "saved")
    assert (saved["total"], _ids(saved)) == (2, [third.id, first.id])


async def test_saved_unknown_contractor_is_404(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client)
    for contractor_id in ("u_doesnotexist", client.id):  # no one; not a contractor
        for method in ("PUT", "DELETE"):
            response = await lists.http.request(
                method, f"/job-posts/{job['id']}/saved/{contractor_id}", headers=client.auth
            )
            assert response.status_code == 404, (method, contractor_id, response.text)
            assert "contractor not found" in response.json()["detail"]


async def test_only_the_owner_stars(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client)
    contractor = await lists.contractor()
    ops = await lists.ops()
    by_ops = await lists.http.put(f"/job-posts/{job['id']}/saved/{contractor.id}", headers=ops.auth)
    assert by_ops.status_code == 403
    by_contractor = await lists.http.put(
        f"/job-posts/{job['id']}/saved/{contractor.id}", headers=contractor.auth
    )
    assert by_contractor.status_code == 403
    assert (await _list(lists, client, job["id"], "saved"))["total"] == 0


async def test_handpicked_by_ops(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client, **FINTECH_POST)
    ops = await lists.ops()
    earlier = await lists.contractor(5000, ["fintech"], ["English"])
    later = await lists.contractor(9000, ["retail"], ["German"])

    added = await lists.http.post(
        f"/job-posts/{job['id']}/handpicked", json={"contractor_id": earlier.id}, headers=ops.auth
    )
    assert added.status_code == 201, added.text
    assert added.json()["contractor_id"] == earlier.id
    assert added.json()["match_score"] == 85
    await _later(lists)
    added = await lists.http.post(
        f"/job-posts/{job['id']}/handpicked", json={"contractor_id": later.id}, headers=ops.auth
    )
    assert added.status_code == 201, added.text
    again = await lists.http.post(
        f"/job-posts/{job['id']}/handpicked", json={"contractor_id": earlier.id}, headers=ops.auth
    )
    assert again.status_code == 200, again.text

    handpicked = await _list(lists, client, job["id"], "handpicked")
    assert (handpicked["total"], _ids(handpicked)) == (2, [later.id, earlier.id])
    assert [item["match_score"] for item in handpicked["items"]] == [0, 85]
    second_page = await _list(lists, ops, job["id"], "handpicked", page=2, per_page=1)
    assert (second_page["total"], _ids(second_page)) == (2, [earlier.id])


async def test_handpicked_refusals(lists: Stack) -> None:
    owner = await lists.client_user()
    stranger = await lists.client_user()
    ops = await lists.ops()
    contractor = await lists.contractor()
    job = await lists.job_post(owner)
    path = f"/job-posts/{job['id']}/handpicked"

    pick = {"contractor_id": contractor.id}
    by_owner = await lists.http.post(path, json=pick, headers=owner.auth)
    assert by_owner.status_code == 403
    assert "only ops" in by_owner.json()["detail"]
    by_stranger = await lists.http.post(
        path, json={"contractor_id": contractor.id}, headers=stranger.auth
    )
    assert by_stranger.status_code == 404
    by_contractor = await lists.http.post(
        path, json={"contractor_id": contractor.id}, headers=contractor.auth
    )
    assert by_contractor.status_code == 404
    for not_a_contractor in (owner.id, "u_doesnotexist"):
        refused = await lists.http.post(
            path, json={"contractor_id": not_a_contractor}, headers=ops.auth
        )
        assert refused.status_code == 422
        assert not_a_contractor in refused.json()["detail"]
    unknown_post = await lists.http.post(
        "/job-posts/jp_doesnotexist/handpicked",
        json={"contractor_id": contractor.id},
        headers=ops.auth,
    )
    assert unknown_post.status_code == 404
    assert (await _list(lists, owner, job["id"], "handpicked"))["total"] == 0


async def test_candidate_lists_need_a_known_list_name(lists: Stack) -> None:
    client = await lists.client_user()
    job = await lists.job_post(client)
    response = await lists.http.get(
        f"/job-posts/{job['id']}/candidates", params={"list": "favourites"}, headers=client.auth
    )
    assert response.status_code == 422
    assert "best_matches" in response.text


async def _close(stack: Stack, client: Actor, job_id: str) -> None:
    """End the test's candidacies, so no workflow of it outlives its worker."""
    await close_job_post(stack, client, job_id)
    await close_finished(stack, client, job_id)
