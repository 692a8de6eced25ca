"""Text holding the NUL character is refused at the door with a 422 naming where it is: the
path, a query parameter, or a field of the JSON body. PostgreSQL text cannot hold NUL, so such a
value would otherwise fail the request with a 500, or fail a workflow's database write later."""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from api.errors import invalid_input
from api.http_middleware import HttpMiddleware
from api.idempotency import _read_body, _replay_receive
from api.schemas import FieldError

NUL = "\x00"
MESSAGE = "text must not contain the NUL character (\\u0000)"


def _nul_in_json(value: Any, loc: list[str | int]) -> Iterator[list[str | int]]:
    """Where the JSON value holds NUL in a string or an object's key."""
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_in_json(item, [*loc, index])
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield [*loc, key.replace(NUL, "\\u0000")]
            yield from _nul_in_json(item, [*loc, key])


def _nul_in_body(body: bytes) -> list[list[str | int]]:
    try:
        document = json.loads(body)
    except ValueError:  # not JSON: the route answers as it does to any unreadable body
        return []
    return list(_nul_in_json(document, ["body"]))


def _nul_in_query(query_string: bytes) -> list[list[str | int]]:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return [["query", name.replace(NUL, "\\u0000")] for name, value in pairs if NUL in name + value]


class NulTextMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        places: list[list[str | int]] = [["path"]] if NUL in scope["path"] else []
        places += _nul_in_query(scope.get("query_string", b""))
        body = await _read_body(receive)
        if NUL.encode() in body or b"\\u0000" in body:
            places += _nul_in_body(body)
        if places:
            errors = [FieldError(loc=loc, msg=MESSAGE, type="string_nul") for loc in places]
            answer = JSONResponse(invalid_input(errors).model_dump(), status_code=422)
            await answer(scope, receive, send)
            return
        await self.app(scope, _replay_receive(body, receive), send)
