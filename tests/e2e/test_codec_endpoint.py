"""The codec endpoint Temporal's UI and CLI call (`/codec/decode`, `/codec/encode`): it opens
payloads for ops users only (bearer token or the `codec_token` cookie of `/codec/session`),
refuses everyone else, and lets the UI's origin call it from the browser (CORS preflight)."""

import base64
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload

from core.temporal import data_converter
from tests.stack import Actor, Stack

SECRET = "Zebra: notes about a candidate's health"
UI = "http://localhost:8233"


async def sealed_json() -> dict[str, Any]:
    """A payload as Temporal stores it, in the protocol's JSON."""
    converter = data_converter()
    [payload] = await converter.encode([{"notes": SECRET}])
    return {"payloads": [as_json(payload)]}


def as_json(payload: Payload) -> dict[str, Any]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


def data_of(answer: dict[str, Any]) -> str:
    return base64.b64decode(answer["payloads"][0]["data"]).decode()


async def test_the_codec_opens_payloads_for_an_ops_user(stack: Stack) -> None:
    ops = await stack.ops()
    body = await sealed_json()
    assert SECRET not in base64.b64decode(body["payloads"][0]["data"]).decode(errors="replace")

    answer = await stack.http.post("/codec/decode", json=body, headers=ops.auth)

    assert answer.status_code == 200, answer.text
    [opened] = answer.json()["payloads"]
    assert base64.b64decode(opened["metadata"]["encoding"]) == b"json/plain"
    assert f'"notes":"{SECRET}"' in data_of(answer.json())


async def test_the_codec_seals_for_an_ops_user_and_opens_its_own_seal(stack: Stack) -> None:
    ops = await stack.ops()
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"Zebra"')
    sealed = await stack.http.post(
        "/codec/encode", json={"payloads": [as_json(plain)]}, headers=ops.auth
    )
    assert sealed.status_code == 200, sealed.text
    assert base64.b64decode(sealed.json()["payloads"][0]["metadata"]["encoding"]) == (
        b"binary/encrypted"
    )
    opened = await stack.http.post("/codec/decode", json=sealed.json(), headers=ops.auth)
    assert data_of(opened.json()) == '"Zebra"'


async def test_a_payload_written_before_encryption_comes_back_as_it_is(stack: Stack) -> None:
    ops = await stack.ops()
    plain = {"payloads": [as_json(Payload(metadata={"encoding": b"json/plain"}, data=b"1"))]}
    answer = await stack.http.post("/codec/decode", json=plain, headers=ops.auth)
    assert answer.json() == plain


@pytest.mark.parametrize("role", ["client", "contractor"])
async def test_the_codec_refuses_everyone_but_ops(stack: Stack, role: str) -> None:
    who: Actor = await (stack.client_user() if role == "client" else stack.contractor())
    body = await sealed_json()
    for path in ("/codec/decode", "/codec/encode"):
        refused = await stack.http.post(path, json=body, headers=who.auth)
        assert refused.status_code == 403, refused.text
        assert SECRET not in refused.text
    anonymous = await stack.http.post("/codec/decode", json=body)
    assert anonymous.status_code == 401
    unknown = await stack.http.post(
        "/codec/decode", json=body, headers={"Authorization": "Bearer not-a-token"}
    )
    assert unknown.status_code == 401


async def test_an_operator_browser_reads_payloads_with_the_session_cookie(stack: Stack) -> None:
    ops = await stack.ops()
    client = await stack.client_user()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    refused = await stack.http.post("/codec/session", content=f"token={client.token}", headers=form)
    assert refused.status_code == 403
    assert "codec_token" not in refused.headers.get("set-cookie", "")

    try:
        started = await stack.http.post(
            "/codec/session", content=f"token={ops.token}", headers=form
        )
    finally:
        stack.http.cookies.clear()  # the test sends the cookie itself, to this request only
    assert started.status_code == 200
    cookie = started.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/codec" in cookie
    assert "samesite=lax" in cookie.lower()

    body = await sealed_json()
    answer = await stack.http.post(
        "/codec/decode",
        json=body,
        headers={"Origin": UI},
        cookies={"codec_token": ops.token},
    )
    assert answer.status_code == 200, answer.text
    assert SECRET in data_of(answer.json())
    assert answer.headers["access-control-allow-origin"] == UI
    assert answer.headers["access-control-allow-credentials"] == "true"


async def test_the_ui_origin_passes_the_preflight_and_no_other_origin_does(stack: Stack) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
    }
    preflight = await stack.http.options("/codec/decode", headers={"Origin": UI, **asked})
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == UI
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"content-type", "x-namespace", "authorization"} <= set(
        allowed.replace(" ", "").split(",")
    )

    elsewhere = await stack.http.options(
        "/codec/decode", headers={"Origin": "https://evil.example", **asked}
    )
    assert elsewhere.status_code == 400
    assert "access-control-allow-origin" not in elsewhere.headers

    # Only the codec is open to the UI's origin.
    other_route = await stack.http.get("/health", headers={"Origin": UI})
    assert "access-control-allow-origin" not in other_route.headers
