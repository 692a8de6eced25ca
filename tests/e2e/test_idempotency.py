"""`Idempotency-Key` through the HTTP API: the same key and body from the same caller give the
same answer and do the work once; the same key with another body is 422; a 5xx is not an answer,
so the key can be used again."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from temporalio.client import Client
from temporalio.service import RetryConfig

from api.app import create_app
from core.temporal import data_converter
from store.models import Candidacy
from tests.closing import close_finished, close_job_post
from tests.mail import free_port
from tests.stack import Actor, Stack

JOB = {
    "title": "Bookkeeper",
    "budget_min_cents": 3000,
    "budget_max_cents": 5000,
    "industry": "finance",
}


def _keyed(actor: Actor, key: str) -> dict[str, str]:
    return {**actor.auth, "Idempotency-Key": key}


async def _job_posts_of(stack: Stack, client: Actor) -> int:
    listed = await stack.http.get("/job-posts", headers=client.auth)
    return int(listed.json()["total"])


async def test_same_key_and_body_give_the_same_answer_and_create_once(stack: Stack) -> None:
    client = await stack.client_user()

    first = await stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "create-1"))
    second = await stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "create-1"))

    assert first.status_code == second.status_code == 201, second.text
    assert second.json() == first.json()
    assert second.headers["idempotent-replay"] == "true"
    assert "idempotent-replay" not in first.headers
    assert await _job_posts_of(stack, client) == 1

    other_key = await stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "create-2"))
    assert other_key.status_code == 201
    assert other_key.json()["id"] != first.json()["id"]
    assert await _job_posts_of(stack, client) == 2


async def test_concurrent_requests_with_one_key_create_once(stack: Stack) -> None:
    client = await stack.client_user()

    answers = await asyncio.gather(
        *(
            stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "burst"))
            for _ in range(8)
        )
    )

    created = [a for a in answers if a.status_code == 201]
    assert {a.status_code for a in answers} <= {201, 409}
    assert len({a.json()["id"] for a in created}) == 1
    assert await _job_posts_of(stack, client) == 1


async def test_same_key_with_another_body_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    first = await stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "k"))
    assert first.status_code == 201

    changed = await stack.http.post(
        "/job-posts", json={**JOB, "title": "Accountant"}, headers=_keyed(client, "k")
    )
    elsewhere = await stack.http.post(
        f"/job-posts/{first.json()['id']}/close", headers=_keyed(client, "k")
    )

    assert changed.status_code == 422
    assert "already used with a different request" in changed.json()["detail"]
    assert elsewhere.status_code == 422
    assert await _job_posts_of(stack, client) == 1
    still_open = await stack.http.get(f"/job-posts/{first.json()['id']}", headers=client.auth)
    assert still_open.json()["status"] == "open"


async def test_keys_belong_to_their_caller(stack: Stack) -> None:
    one, other = await stack.client_user(), await stack.client_user()

    mine = await stack.http.post("/job-posts", json=JOB, headers=_keyed(one, "shared"))
    theirs = await stack.http.post("/job-posts", json=JOB, headers=_keyed(other, "shared"))

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["company_id"] == one.company_id
    assert theirs.json()["company_id"] == other.company_id


async def test_refusals_are_answers_too(stack: Stack) -> None:
    """A 409 is stored like any answer: the retry gets the same 409, not a new attempt."""
    client = await stack.client_user()
    job = await stack.job_post(client)
    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    assert closed.status_code == 200

    contractor = await stack.contractor()
    apply = f"/job-posts/{job['id']}/applications"
    first = await stack.http.post(apply, headers=_keyed(contractor, "c"))
    again = await stack.http.post(apply, headers=_keyed(contractor, "c"))

    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


async def test_a_replayed_204_has_no_body(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    contractor = await stack.contractor()
    path = f"/job-posts/{job['id']}/saved/{contractor.id}"

    answers = [await stack.http.delete(path, headers=_keyed(client, "unstar")) for _ in range(2)]

    assert [a.status_code for a in answers] == [204, 204]
    assert [a.content for a in answers] == [b"", b""]
    assert answers[1].headers["idempotent-replay"] == "true"


async def test_overlong_key_is_422(stack: Stack) -> None:
    client = await stack.client_user()
    response = await stack.http.post("/job-posts", json=JOB, headers=_keyed(client, "k" * 201))
    assert response.status_code == 422
    assert "at most 200 characters" in response.json()["detail"]
    assert await _job_posts_of(stack, client) == 0


class Relay:
    """A TCP relay to the Temporal server that can be cut, as when the server goes away."""

    def __init__(self, target: str) -> None:
        self.host, port = target.rsplit(":", 1)
        self.target_port = int(port)
        self.port = free_port()
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        self.writers += [writer, up_writer]
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def cut(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def temporal_down(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The same API and database, with a Temporal client whose server stopped answering."""
    relay = Relay(stack.env.client.service_client.config.target_host)
    await relay.start()
    temporal = await Client.connect(
        f"127.0.0.1:{relay.port}",
        data_converter=data_converter(),
        retry_config=RetryConfig(max_retries=1, max_elapsed_time_millis=200),
    )
    await relay.cut()
    app = create_app(stack.settings, temporal=temporal, clock=stack.env.get_current_time)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield http


async def test_a_5xx_is_not_stored(stack: Stack, temporal_down: httpx.AsyncClient) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    path = f"/job-posts/{job['id']}/applications"

    failed = await temporal_down.post(path, headers=_keyed(contractor, "apply"))
    assert failed.status_code == 503, failed.text
    async with stack.db.session() as session:
        assert await session.get(Candidacy, f"candidacy-{job['id']}-{contractor.id}") is None

    retried = await stack.http.post(path, headers=_keyed(contractor, "apply"))
    assert retried.status_code == 201, retried.text
    assert "idempotent-replay" not in retried.headers
    replayed = await stack.http.post(path, headers=_keyed(contractor, "apply"))
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replay"] == "true"
    assert replayed.json() == retried.json()
    await close_job_post(stack, client, job["id"])
    assert (await close_finished(stack, client, job["id"]))["candidacies_ended"] == 1


async def test_a_replay_sent_the_moment_the_answer_arrives_gets_that_answer(stack: Stack) -> None:
    """The answer is stored before its last byte leaves: a caller who replays the request as
    soon as the 201 arrives gets the same 201, not "being answered"."""
    client = await stack.client_user()
    headers = _keyed(client, "replay-at-once")
    app = stack.http._transport.app  # type: ignore[attr-defined]
    body = json.dumps(JOB).encode()
    replays: list[httpx.Response] = []
    first: dict[str, object] = {}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            first["status"] = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            replays.append(
                await stack.http.post(
                    "/job-posts",
                    content=body,
                    headers={**headers, "content-type": "application/json"},
                )
            )

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/job-posts",
        "raw_path": b"/job-posts",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (name.lower().encode(), value.encode())
            for name, value in {**headers, "content-type": "application/json"}.items()
        ],
        "client": ("127.0.0.1", 1),
        "server": ("api", 80),
        "app": app,
    }
    await app(scope, receive, send)

    assert first["status"] == 201
    assert [r.status_code for r in replays] == [201], replays[0].text
    assert replays[0].headers["idempotent-replay"] == "true"
    assert await _job_posts_of(stack, client) == 1


async def test_an_idempotent_post_looks_its_caller_up_once(stack: Stack) -> None:
    """The middleware and the route share one lookup of the bearer token: a fresh API process
    (nothing remembered) reads the user table once for a keyed POST."""
    client = await stack.client_user()
    app = create_app(stack.settings, temporal=stack.env.client, clock=stack.env.get_current_time)
    user_reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if re.search(r'\bFROM "?user"?(\s|$)', statement, re.IGNORECASE):
            user_reads.append(statement)

    async with app.router.lifespan_context(app):
        event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", count)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            created = await http.post("/job-posts", json=JOB, headers=_keyed(client, "once"))
    assert created.status_code == 201, created.text
    assert len(user_reads) == 1, user_reads
    assert app.state.callers.reads == 1
