"""History events on a Temporal server, counted from the server itself: every execution the
server lists (running, closed, and each run of a continued-as-new workflow), each described for
its exact history length."""

import asyncio

from temporalio.client import Client

DESCRIBE_AT_ONCE = 50


async def history_events(client: Client) -> dict[tuple[str, str], int]:
    """History length of every execution on the server, by (workflow id, run id)."""
    executions = [(e.id, e.run_id or "") async for e in client.list_workflows()]
    gate = asyncio.Semaphore(DESCRIBE_AT_ONCE)

    async def length(workflow_id: str, run_id: str) -> int:
        async with gate:
            handle = client.get_workflow_handle(workflow_id, run_id=run_id or None)
            return (await handle.describe()).history_length

    lengths = await asyncio.gather(*(length(w, r) for w, r in executions))
    return dict(zip(executions, lengths, strict=True))


def events_added(
    before: dict[tuple[str, str], int], after: dict[tuple[str, str], int]
) -> dict[str, int]:
    """Events written between two counts, per kind of workflow (the id's prefix up to its first
    dash: `interview`, `candidacy`, `slots`...), a new execution counted whole."""
    added: dict[str, int] = {}
    for key, length in after.items():
        grown = length - before.get(key, 0)
        if grown:
            kind = key[0].split("-", 1)[0]
            added[kind] = added.get(kind, 0) + grown
    return added
