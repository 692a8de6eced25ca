"""Retry policies by purpose, in one place (the table is in README.md, "Retry policies").

- ATTENDED: work a person waits on (an activity awaited inside an update handler: a projection,
  a scorecard's save, a booking). A few quick attempts, then the update answers with the error.
- BOOKKEEPING: the workflow's own writes in its main loop (projections, the ledger, starting
  another workflow). Nobody waits on them; they retry with capped backoff until they succeed.
- DELIVERY: notifications and relayed messages. Capped backoff without an attempt limit, so a
  mail server down for hours delays email, never loses it; heartbeats spot a stuck send.

Every policy gives up at once on validation and programming errors: retrying cannot fix them.
The caller then sees an ActivityError whose cause names the error type; the run's history shows
the failed attempt.
"""

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy

from domain.errors import INVALID

# Exception class names (an activity's plain exception is reported under its class name) and the
# project's own refusal of invalid input.
NON_RETRYABLE_ERROR_TYPES = [
    INVALID,
    "ValidationError",  # pydantic
    "AssertionError",
    "TypeError",
    "KeyError",
    "AttributeError",
    "TemplateNotFound",  # jinja2
    "UndefinedError",  # jinja2
]


@dataclass(frozen=True)
class ActivityPolicy:
    start_to_close: timedelta
    retry: RetryPolicy
    heartbeat: timedelta | None = None


ATTENDED = ActivityPolicy(
    start_to_close=timedelta(seconds=10),
    retry=RetryPolicy(
        initial_interval=timedelta(milliseconds=200),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=2),
        maximum_attempts=4,
        non_retryable_error_types=NON_RETRYABLE_ERROR_TYPES,
    ),
)

BOOKKEEPING = ActivityPolicy(
    start_to_close=timedelta(seconds=30),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=5),
        non_retryable_error_types=NON_RETRYABLE_ERROR_TYPES,
    ),
)

# SMTP_TIMEOUT_SECONDS is at most 15 s: a send (at most twice that) fits in the start-to-close
# timeout, each of its steps in the heartbeat's.
DELIVERY = ActivityPolicy(
    start_to_close=timedelta(seconds=60),
    heartbeat=timedelta(seconds=20),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=5),
        maximum_interval=timedelta(minutes=10),
        non_retryable_error_types=NON_RETRYABLE_ERROR_TYPES,
    ),
)
