"""Bad input gets a clear 4xx, never a 500: bounded paging and numbers, one error shape (JSON
with a string `detail`), a JSON 500, error answers documented on every route; contractors read
open job posts; hours come back as sent."""

from decimal import Decimal

import httpx
from pydantic import TypeAdapter

from api.app import create_app
from domain.money import Hours
from tests.stack import Stack

LISTS = ["/candidacies", "/engagements", "/job-posts", "/ledger", "/notifications", "/threads"]


async def test_a_page_beyond_the_bound_is_422_on_every_list(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    for path in [*LISTS, f"/job-posts/{job['id']}/candidates"]:
        response = await stack.http.get(path, params={"page": 2**65}, headers=client.auth)
        assert response.status_code == 422, (path, response.text)
        assert "page" in response.json()["detail"]
    fine = await stack.http.get("/notifications", params={"page": 10_000}, headers=client.auth)
    assert fine.status_code == 200 and fine.json()["items"] == []


async def test_a_budget_beyond_64_bits_is_422_naming_the_field(stack: Stack) -> None:
    client = await stack.client_user()
    body = {"title": "Lead", "budget_min_cents": 1, "industry": "software"}
    response = await stack.http.post(
        "/job-posts", json={**body, "budget_max_cents": 2**63}, headers=client.auth
    )
    assert response.status_code == 422
    error = response.json()
    assert error["detail"].startswith("budget_max_cents: ")
    assert error["errors"][0]["loc"] == ["body", "budget_max_cents"]


async def test_a_hand_raised_422_has_the_same_shape(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    response = await stack.http.post(
        f"/job-posts/{job['id']}/invitations", json={"contractor_id": ""}, headers=client.auth
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "contractor_id '' is not a contractor"}


async def test_an_unhandled_error_is_a_json_500_with_a_detail() -> None:
    app = create_app(temporal=object())

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        response = await http.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}


async def test_every_route_documents_its_errors_with_the_shared_model(stack: Stack) -> None:
    schema = (await stack.http.get("/openapi.json")).json()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path not in ("/health", "/inbound-email"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method != "get":
                assert {"409", "422"} <= responses.keys(), (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == error
    plan = schema["components"]["schemas"]["JobPostIn"]["properties"]["interview_plan"]
    assert "screening 15/20/30, technical 45/60, project_deep_dive 30/45" in plan["description"]


async def test_a_contractor_reads_an_open_job_post_without_the_take_home_brief(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    plan = [
        {"kind": "screening", "duration_minutes": 30},
        {"kind": "technical", "duration_minutes": 60, "assessment": {"instructions": "Build X"}},
    ]
    job = await stack.job_post(client, interview_plan=plan)

    read = await stack.http.get(f"/job-posts/{job['id']}", headers=contractor.auth)
    assert read.status_code == 200, read.text
    assert read.json()["title"] == job["title"]
    assert read.json()["interview_plan"][1]["assessment"] == {"instructions": None, "due_days": 3}
    owner = await stack.http.get(f"/job-posts/{job['id']}", headers=client.auth)
    assert owner.json()["interview_plan"][1]["assessment"]["instructions"] == "Build X"

    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    assert closed.status_code == 200, closed.text
    gone = await stack.http.get(f"/job-posts/{job['id']}", headers=contractor.auth)
    assert gone.status_code == 404


def test_hours_come_back_as_they_were_sent() -> None:
    hours = TypeAdapter(Hours)
    assert hours.dump_json(hours.validate_json(b"40")) == b"40"
    assert hours.dump_json(hours.validate_json(b"7.5")) == b"7.5"
    assert hours.dump_json(Decimal(3750) / 100) == b"37.5"
