"""The worker: every hiring workflow and activity on one task queue.

`python -m workers.worker` runs it until SIGINT/SIGTERM, then lets running activities finish.
"""

import asyncio
import signal
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from core.db import Database
from core.settings import Settings, get_settings
from core.temporal import connect
from workers.registry import activity_instances, pool_workflow_classes, workflow_classes
from workflows.slot_pool_client import pool_task_queue


class HiringWorkers:
    """The hiring workers of one process, run together: every workflow on the task queue, and
    the slot pools on a queue (with pollers and a sticky queue) of their own as well, so that a
    burst of claims never waits behind the other workflows' tasks (pools started before they had
    their own queue still run on the first). Both run every activity."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self._running = AsyncExitStack()

    async def __aenter__(self) -> "HiringWorkers":
        for worker in self.workers:
            await self._running.enter_async_context(worker)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._running.aclose()


def create_worker(client: Client, settings: Settings, db: Database) -> HiringWorkers:
    activities: list[Callable[..., Any]] = []
    for instance in activity_instances(db, settings):
        activities.extend(instance.activities())
    pools = pool_workflow_classes()
    return HiringWorkers(
        [
            Worker(
                client,
                task_queue=settings.temporal_task_queue,
                workflows=workflow_classes(),
                activities=activities,
                graceful_shutdown_timeout=timedelta(seconds=10),
                max_concurrent_activities=100,
            ),
            Worker(
                client,
                task_queue=pool_task_queue(settings.temporal_task_queue),
                workflows=pools,
                activities=activities,
                graceful_shutdown_timeout=timedelta(seconds=10),
                max_concurrent_activities=20,
            ),
        ]
    )


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    client = await connect(settings)
    db = Database(settings.database_url)
    worker = create_worker(client, settings, db)
    try:
        async with worker:
            await stop.wait()
    finally:
        await db.dispose()


def main() -> None:
    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(get_settings(), stop)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
