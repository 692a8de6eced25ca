"""The one place that documents error answers in the OpenAPI schema: each route gets the 4xx
(and 503) it can answer, all with the shared error model, from what the route depends on."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from api.deps import current_user, get_workflows, require_role
from api.schemas import ErrorOut

REF = "#/components/schemas/"
ERROR = "Error"

UNAUTHORIZED = "no bearer token, or an unknown one"
FORBIDDEN = "the caller's role may not do this"
NOT_FOUND = "not found, or not the caller's (the same answer, so nothing leaks)"
CONFLICT = "conflicts with the current state (e.g. a slot taken, an offer already answered)"
INVALID = "invalid input: `detail` names each problem, `errors` lists each invalid field"
UNAVAILABLE = "the workflow service does not answer; retry"


def install_error_docs(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """`routes`: the routers' own routes (the app may keep included routers wrapped)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        if ERROR not in schema.get("components", {}).get("schemas", {}):
            document_errors(schema, routes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorOut.model_json_schema(ref_template=REF + "{model}")
    schemas.update(error.pop("$defs", {}))
    schemas[ERROR] = error
    for route in routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        answers = error_answers(route)
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                response = responses.setdefault(str(status), {"description": description})
                response["content"] = {"application/json": {"schema": {"$ref": REF + ERROR}}}
    # FastAPI's own 422 model is replaced everywhere by the shared one.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def error_answers(route: APIRoute) -> dict[int, str]:
    """The error statuses a route can answer, with what each means."""
    dependants = list(_dependants(route.dependant))
    calls = {d.call for d in dependants if d.call is not None}
    uses_workflows = get_workflows in calls
    takes_input = any(
        d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
        for d in dependants
    )
    answers: dict[int, str] = {}
    if current_user in calls:
        answers[401] = UNAUTHORIZED
    if any(_is_role_check(call) for call in calls):
        answers[403] = FORBIDDEN
    names_something = "{" in route.path
    changes_something = bool((route.methods or set()) - {"GET", "HEAD"})
    if names_something:
        answers[404] = NOT_FOUND
    if changes_something or (uses_workflows and names_something):
        answers[409] = CONFLICT
    if takes_input:
        answers[422] = INVALID
    if uses_workflows and (changes_something or names_something):
        answers[503] = UNAVAILABLE
    # Statuses a route names itself (a 403 it raises by hand, say) get the error model too.
    for status in route.responses:
        if str(status).isdigit() and int(status) >= 400:
            answers.setdefault(int(status), "")
    return answers


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _is_role_check(call: Callable[..., Any]) -> bool:
    return getattr(call, "__qualname__", "").startswith(require_role.__qualname__ + ".")
