"""Errors as JSON with a clear `detail`; workflow refusals become 409 or 422."""

from typing import NoReturn

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import INVALID
from workflows.interview import UNAVAILABLE


def not_found(what: str = "resource") -> HTTPException:
    return HTTPException(404, f"{what} not found")


def raise_from_update(error: Exception) -> NoReturn:
    """Turn a failed update (or an unknown workflow) into the HTTP answer it deserves."""
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        if isinstance(cause, ApplicationError):
            status = {INVALID: 422, UNAVAILABLE: 503}.get(cause.type or "", 409)
            raise HTTPException(status, cause.message) from error
        raise HTTPException(409, str(cause or error)) from error
    if isinstance(error, RPCError) and error.status == RPCStatusCode.NOT_FOUND:
        raise HTTPException(409, "this process has already ended") from error
    raise error


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RPCError)
    async def temporal_unavailable(_request: Request, error: RPCError) -> JSONResponse:
        if error.status == RPCStatusCode.NOT_FOUND:
            return JSONResponse({"detail": "this process has already ended"}, status_code=409)
        return JSONResponse(
            {"detail": f"workflow service unavailable: {error.message}"}, status_code=503
        )
