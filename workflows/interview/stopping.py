"""How an interview stops before taking place (InterviewWorkflow's docstring tells why this way):
`_stop(why)` records that it stops and why; the run then cancels the story, waits for it to
settle and winds down, and every wait of the story (`_wait`) ends it from then on."""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.exceptions import is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from workflows.common import wait_until

CANDIDACY_ENDED = "the candidacy ended"  # it cancels this workflow
REQUEST_CANCELLED = "the client cancelled the round's request"  # the `cancel` update


@dataclass
class Stopping:
    """Why the interview stops, and whether the run has cancelled the story yet. The run sees a
    cancelled request at its next turn: until then the story goes on as it was."""

    why: str
    story_cancelled: bool = False


class Stoppable:
    stopping: Stopping | None

    def _stop(self, why: str) -> None:
        """The one way the interview stops before taking place, whatever the cause: the run
        sees it, ends the story and winds down (InterviewWorkflow.run)."""
        if self.stopping is None:
            workflow.logger.info("the interview stops: %s", why)
            self.stopping = Stopping(why)

    def _story_cancelled(self) -> bool:
        """The run has cancelled the story: it must not go on, nor tell the candidacy more."""
        return self.stopping is not None and self.stopping.story_cancelled

    async def _wait(
        self, done: Callable[[], bool], deadline: datetime | None = None, summary: str = ""
    ) -> bool:
        """Every wait of the story: until `done()` (or the deadline: True when `done()` came
        true). It ends the story once the run has cancelled it: cancelling the story's task is
        not enough, as an operation that completed meanwhile (an activity, a signal) absorbs
        it."""

        def ready() -> bool:
            return self._story_cancelled() or done()

        if deadline is None:
            await workflow.wait_condition(ready)
            came = True
        else:
            came = await wait_until(deadline, ready, summary or None)
        if self._story_cancelled():
            raise asyncio.CancelledError
        return came


async def settled(task: "asyncio.Future[None]") -> None:
    """Wait for a cancelled task to finish whatever it shields."""
    try:
        await task
    except BaseException as error:  # noqa: BLE001 - cancelled or failed, it is over either way
        if not is_cancelled_exception(error):
            workflow.logger.warning("interview story ended with %r", error)


async def to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to its end through any cancellation request, then pass the request on.

    Two things run so: the wind-down (a request cancelled, then the candidacy ending meanwhile,
    still gives the slot back and tells calendars), and, in histories recorded before
    NOTICES_OFF_THE_STORY_PATCH, each announcement of the story (an invite half-sent when the
    candidacy ends still reaches calendars before its cancellation)."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    task.result()
    if cancelled:
        raise asyncio.CancelledError
