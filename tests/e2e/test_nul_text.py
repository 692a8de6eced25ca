"""Text holding the NUL character (which PostgreSQL text cannot hold) is refused with a 422 that
names where it is, on SQLite and on PostgreSQL: a JSON body's field, a query parameter, the path.
Nothing is stored, and a body merely spelling out `\\u0000` is taken as it is."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.app import create_app
from core.db import Database
from core.settings import Settings
from store.accounts import create_company, create_user

JOB_POST = {
    "title": "Support lead",
    "description": "Inbound support",
    "budget_min_cents": 3000,
    "budget_max_cents": 5000,
    "industry": "software",
    "languages": ["English"],
    "tz": "UTC",
}


@dataclass
class Api:
    http: httpx.AsyncClient
    auth: dict[str, str]  # a client's

    async def post_job(self, **fields: Any) -> httpx.Response:
        return await self.http.post("/job-posts", json={**JOB_POST, **fields}, headers=self.auth)

    async def job_titles(self) -> list[str]:
        listed = await self.http.get("/job-posts", headers=self.auth)
        assert listed.status_code == 200, listed.text
        return [post["title"] for post in listed.json()["items"]]


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    """The API alone on the database (no route used here reaches Temporal), with a client."""
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    db = Database(database_url)
    suffix = uuid.uuid4().hex[:8]
    async with db.session() as session:
        company = await create_company(session, f"Company {suffix}", "standard", "UTC")
        _, token = await create_user(
            session,
            role="client",
            name=f"Client {suffix}",
            email=f"client-{suffix}@example.com",
            company_id=company.id,
        )
    app = create_app(settings, temporal=object())
    transport = httpx.ASGITransport(app=app)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
                yield Api(http, {"Authorization": f"Bearer {token}"})
    finally:
        await db.dispose()


def _refused_at(response: httpx.Response) -> list[list[str | int]]:
    assert response.status_code == 422, response.text
    error = response.json()
    assert "NUL" in error["detail"], error
    return [e["loc"] for e in error["errors"]]


async def test_nul_in_a_json_field_is_422_naming_the_field_and_nothing_is_stored(api: Api) -> None:
    response = await api.post_job(title="Support\u0000lead", languages=["English", "Fr\u0000"])
    assert _refused_at(response) == [["body", "title"], ["body", "languages", 1]]
    assert response.json()["detail"].startswith("title: ")
    assert await api.job_titles() == []


async def test_nul_in_a_query_parameter_or_the_path_is_422_naming_it(api: Api) -> None:
    listed = await api.http.get(
        "/candidacies", params={"job_post_id": "jp\u0000"}, headers=api.auth
    )
    assert _refused_at(listed) == [["query", "job_post_id"]]
    read = await api.http.get("/job-posts/jp%00x", headers=api.auth)
    assert _refused_at(read) == [["path"]]


async def test_text_spelling_out_the_escape_is_taken_as_it_is(api: Api) -> None:
    title = "Lead for C:\\u0000 paths"  # a backslash, then "u0000": no NUL character
    created = await api.post_job(title=title)
    assert created.status_code == 201, created.text
    assert await api.job_titles() == [title]
