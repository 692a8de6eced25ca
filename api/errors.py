"""Errors as JSON with a clear `detail` (the shape of `api.schemas.ErrorOut`); workflow refusals
become 409 or 422; an unexpected failure is a logged 500 that tells the caller no more."""

import json
import logging
from typing import NoReturn

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.http_middleware import HttpMiddleware
from api.schemas import ErrorOut, FieldError
from domain.errors import INVALID
from workflows.interview import UNAVAILABLE

log = logging.getLogger(__name__)


def not_found(what: str = "resource") -> HTTPException:
    return HTTPException(404, f"{what} not found")


class ProcessEnded(HTTPException):
    """409: the workflow asked to change has already ended."""

    def __init__(self) -> None:
        super().__init__(409, "this process has already ended")


def raise_from_update(error: Exception) -> NoReturn:
    """Turn a failed update (or an unknown workflow) into the HTTP answer it deserves."""
    answer = http_answer(error)
    if answer is None:
        raise error
    raise answer from error


def http_answer(error: Exception) -> HTTPException | None:
    """The one mapping of a workflow's refusal (or of a workflow that has ended) to an HTTP
    answer; None for any other error."""
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        if isinstance(cause, ApplicationError):
            status = {INVALID: 422, UNAVAILABLE: 503}.get(cause.type or "", 409)
            return HTTPException(status, cause.message)
        return HTTPException(409, str(cause or error))
    if isinstance(error, RPCError) and error.status == RPCStatusCode.NOT_FOUND:
        return ProcessEnded()
    return None


def invalid_input(errors: list[FieldError]) -> ErrorOut:
    """One sentence naming every invalid field, and the fields one by one."""
    return ErrorOut(detail="; ".join(f"{_where(e.loc)}: {e.msg}" for e in errors), errors=errors)


def _where(loc: list[str | int]) -> str:
    # "budget_max_cents", not "body.budget_max_cents"; a query or path parameter keeps its place.
    path = loc[1:] if loc and loc[0] == "body" else loc
    return ".".join(str(part) for part in path) or "body"


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(InternalErrorMiddleware)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(loc=list(e["loc"]), msg=e["msg"], type=e["type"]) for e in error.errors()
        ]
        return JSONResponse(invalid_input(errors).model_dump(), status_code=422)

    @app.exception_handler(RPCError)
    async def temporal_unavailable(_request: Request, error: RPCError) -> JSONResponse:
        answer = http_answer(error)
        if answer is not None:
            return JSONResponse({"detail": answer.detail}, status_code=answer.status_code)
        return JSONResponse(
            {"detail": f"workflow service unavailable: {error.message}"}, status_code=503
        )


INTERNAL_ERROR = json.dumps({"detail": "internal error"}).encode()


class InternalErrorMiddleware(HttpMiddleware):
    """An unhandled exception is logged with its traceback and answered as a JSON 500 (or, once
    the answer has started, the connection is left to end)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            if started:
                return
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(INTERNAL_ERROR)).encode()),
            ]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": INTERNAL_ERROR})
