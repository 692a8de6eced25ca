"""Admission control: how many updates this API process has in flight on one slot pool.

The Temporal server refuses updates beyond `history.maxInFlightUpdates` per workflow (10 by
default, 500 in the dev stack and compose). A burst of claims on one round would exceed it, so
each process lets at most `POOL_UPDATES_IN_FLIGHT` updates per pool through at a time; the rest
wait their turn in arrival order. Only when more than `POOL_UPDATES_QUEUED` already wait does a
claim answer 503 with Retry-After (try again shortly) instead of queueing without end."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

RETRY_AFTER_SECONDS = 1


class PoolBusy(Exception):
    """More claims wait for this pool than the queue bound allows."""


@dataclass
class _Gate:
    slots: asyncio.Semaphore
    queued: int = 0


@dataclass
class PoolAdmission:
    in_flight: int
    queued: int
    _gates: dict[str, _Gate] = field(default_factory=dict)

    @asynccontextmanager
    async def admit(self, pool_id: str) -> AsyncIterator[None]:
        gate = self._gates.get(pool_id)
        if gate is None:
            gate = self._gates[pool_id] = _Gate(asyncio.Semaphore(self.in_flight))
        if gate.queued >= self.in_flight + self.queued:
            raise PoolBusy(pool_id)
        gate.queued += 1
        try:
            async with gate.slots:
                yield
        finally:
            gate.queued -= 1
            if gate.queued == 0:
                self._gates.pop(pool_id, None)
