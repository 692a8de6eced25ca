"""Closing a job post in tests: the close runs as a workflow after the API answers."""

from typing import Any

from tests.helpers import eventually
from tests.stack import Actor, Stack


async def close_job_post(stack: Stack, owner: Actor, job_post_id: str) -> dict[str, Any]:
    """Close the post; answers the API's answer (the post, its `closing` as it stood)."""
    response = await stack.http.post(f"/job-posts/{job_post_id}/close", headers=owner.auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def close_finished(
    stack: Stack, owner: Actor, job_post_id: str, seconds: float = 120
) -> dict[str, Any]:
    """The post's `closing` once the close has finished (or failed), as `GET /job-posts/{id}`
    shows it. Polled in wall time: no workflow time passes meanwhile."""

    async def closing() -> dict[str, Any] | None:
        response = await stack.http.get(f"/job-posts/{job_post_id}", headers=owner.auth)
        found: dict[str, Any] | None = response.json().get("closing")
        return found

    done: dict[str, Any] = await eventually(
        closing, lambda c: c is not None and c["status"] != "running", seconds
    )
    return done
