"""The test's view of the product running as processes (tests/process_stack.py): HTTP to its API,
its database, and a Temporal client of its own (real time: the dev server's clock is the wall
clock)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.testing import WorkflowEnvironment

from core.db import Database
from core.settings import Settings
from tests.mail import MailServer
from tests.process_stack import ProcessStack
from tests.stack import Stack

LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100)


@asynccontextmanager
async def product_stack(
    processes: ProcessStack, mail: MailServer, read_seconds: float
) -> AsyncIterator[Stack]:
    client = await processes.connect()
    settings = Settings(
        database_url=processes.database_url,
        temporal_address=processes.address,
        temporal_task_queue=processes.task_queue,
        _env_file=None,  # type: ignore[call-arg]
    )
    db = Database(processes.database_url)
    try:
        async with httpx.AsyncClient(
            base_url=processes.base_url, limits=LIMITS, timeout=read_seconds
        ) as http:
            yield Stack(WorkflowEnvironment.from_client(client), http, db, settings, mail)
    finally:
        await db.dispose()
