"""Bad input gets a clear 4xx, never a 500: a bounded schemathesis run over the real app's
OpenAPI schema, against the real API and worker on the time-skipping stack, as a client, a
contractor and an ops user. Every answer must be below 500 and match the schema documented for
its status (errors included: JSON with a string `detail`)."""

import asyncio
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.stack import Actor, Stack

EXAMPLES_PER_OPERATION = 15
ANSWER_TIMEOUT_S = 60


async def test_fuzzed_requests_answer_below_500_and_as_documented(stack: Stack) -> None:
    actors = {
        "client": await stack.client_user(),
        "contractor": await stack.contractor(),
        "ops": await stack.ops(),
    }
    # A real job post, so that some requests get past "not found" into the routes' own checks.
    job_post = await stack.job_post(actors["client"])
    document = (await stack.http.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    loop = asyncio.get_running_loop()

    def send(kwargs: dict[str, Any]) -> httpx.Response:
        """Run the request on the test's event loop, where the app and Temporal client live."""
        request = stack.http.request(**_httpx_kwargs(kwargs))
        return asyncio.run_coroutine_threadsafe(request, loop).result(ANSWER_TIMEOUT_S)

    failures, tried = await asyncio.to_thread(_fuzz, schema, actors, job_post["id"], send)

    print(f"\n{tried} fuzzed requests over {len(list(schema.get_all_operations()))} operations")
    assert tried > 0
    assert not failures, "\n\n".join(failures)


def _fuzz(
    schema: Any, actors: dict[str, Actor], job_post_id: str, send: Any
) -> tuple[list[str], int]:
    failures: list[str] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if "{job_post_id}" in operation.path:
            strategies.append(
                operation.as_strategy(
                    GenerationMode.POSITIVE, path_parameters={"job_post_id": job_post_id}
                )
            )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies), role=st.sampled_from(sorted(actors)))
        def run(case: Any, role: str) -> None:
            nonlocal tried
            kwargs = case.as_transport_kwargs(base_url="http://api", headers=actors[role].auth)
            response = send(kwargs)
            tried += 1
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (AssertionError, BaseExceptionGroup) as failure:  # collected, then shown
                failures.append(
                    f"{case.operation.label} as {role} -> {response.status_code}: {failure}\n"
                    f"  sent: {kwargs.get('params')} {kwargs.get('json', kwargs.get('data'))!r}"
                    f"\n  answer: {response.text[:500]}"
                )

        run()
    return failures, tried


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis serializes a case for `requests`; the stack's client is httpx."""
    headers = {
        k: v
        for k, v in kwargs["headers"].items()
        if k.lower() not in ("connection", "accept-encoding")
    }
    out: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params") or None,
        "cookies": kwargs.get("cookies") or None,
    }
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        out["content"] = data.encode() if isinstance(data, str) else data
    return out
