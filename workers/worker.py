"""The worker: every hiring workflow and activity on one task queue.

`python -m workers.worker` runs it until SIGINT/SIGTERM, then lets running activities finish.
"""

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from store.db import Database
from workers.registry import activity_instances, workflow_classes
from workers.settings import Settings, get_settings
from workers.temporal_client import connect


def create_worker(client: Client, settings: Settings, db: Database) -> Worker:
    activities: list[Callable[..., Any]] = []
    for instance in activity_instances(db, settings):
        activities.extend(instance.activities())
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=workflow_classes(),
        activities=activities,
        graceful_shutdown_timeout=timedelta(seconds=10),
        max_concurrent_activities=100,
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
