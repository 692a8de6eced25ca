"""How an update refuses: its validator (or handler) raises, and the API answers 409 or 422 with
the message (api/errors.py)."""

from typing import NoReturn

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.errors import CONFLICT, INVALID


def conflict(message: str) -> NoReturn:
    """Not possible in the state the workflow is in (409)."""
    raise ApplicationError(message, type=CONFLICT, non_retryable=True)


def invalid(message: str) -> NoReturn:
    """The input itself is wrong (422)."""
    raise ApplicationError(message, type=INVALID, non_retryable=True)
