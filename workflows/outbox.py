"""The outbox of a workflow: side effects its handlers queue, sent in order by one coroutine.

Update and signal handlers answer from the workflow's state; whatever may be slow (email, other
workflows) goes in here and the drain sends it after the answer, oldest first. A failed entry is
logged and the drain goes on: one failed notice must not hold back the next. The workflow waits
until its handlers have finished and the outbox is empty (`flushed_after_handlers`) before it
completes or continues as new, or hands what is left (entries put with their `data`) to a
workflow that outlives it (`hand_over`).
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from temporalio import workflow
from temporalio.exceptions import FailureError

Send = Callable[[], Awaitable[object]]


@dataclass
class _Entry:
    what: str  # named in the log when it fails
    send: Send
    data: object = None  # what the entry sends, as data another workflow can take over


@dataclass
class Outbox:
    entries: list[_Entry] = field(default_factory=list)
    current: _Entry | None = None  # being sent
    drain: "asyncio.Future[None] | None" = None

    def start(self) -> None:
        """Start the drain (in the workflow's run, before anything can be queued)."""
        if self.drain is None:
            self.drain = asyncio.ensure_future(self._drain_forever())

    def put(self, what: str, send: Send, data: object = None) -> None:
        self.start()
        self.entries.append(_Entry(what, send, data))

    def empty(self) -> bool:
        return not self.entries and self.current is None

    def hand_over(self) -> list[object]:
        """The data of everything not sent yet, the entry being sent first (its send may never
        end: its workflow is about to); the drain sends nothing more."""
        left = [e.data for e in ([self.current] if self.current else []) + self.entries]
        self.entries.clear()
        return left

    async def flushed(self) -> None:
        """Wait until everything queued so far is sent."""
        await workflow.wait_condition(lambda: self.empty() or self._drain_died())
        if self.drain is not None and self.drain.done():
            self.drain.result()  # a programming error in the drain fails the workflow task

    async def flushed_after_handlers(self) -> None:
        """Wait until every update and signal handler has finished and everything queued is sent:
        before the workflow completes or continues as new."""
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self.empty())
        await self.flushed()

    def _drain_died(self) -> bool:
        return self.drain is not None and self.drain.done()

    async def _drain_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self.entries))
            entry = self.entries.pop(0)
            self.current = entry
            try:
                await entry.send()
            except FailureError as failure:
                workflow.logger.error(
                    "outbox: %s failed: %s %s", entry.what, type(failure).__name__, failure
                )
            finally:
                self.current = None
