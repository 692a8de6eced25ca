"""Small helpers shared by end-to-end tests."""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import col, select
from temporalio.client import Client

from store.models import Notification
from tests.stack import Actor, Stack

T = TypeVar("T")
HISTORIES = Path(__file__).parent / "replay" / "histories"


async def _polled(
    probe: Callable[[], Awaitable[Any]],
    check: Callable[[Any], bool],
    seconds: float,
    pause: Callable[[], Awaitable[None]],
) -> Any:
    """The probe's value once `check` accepts it, with a `pause` between looks; fails after
    `seconds` of wall time."""
    deadline = time.monotonic() + seconds
    while True:
        value = await probe()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition never met; last value: {value!r}")
        await pause()


async def ticking(
    stack: Stack,
    probe: Callable[[], Awaitable[Any]],
    check: Callable[[Any], bool],
    seconds: float = 60,
) -> Any:
    """The probe's value once `check` accepts it, skipping a second of workflow time between
    looks so that timers due fire; fails after `seconds` of wall time (a loaded machine is slow
    to run what the timers start)."""
    return await _polled(probe, check, seconds, lambda: stack.env.sleep(timedelta(seconds=1)))


async def wait_for_stage(
    stack: Stack, candidacy_id: str, actor: Actor, stage: str
) -> dict[str, Any]:
    """Poll the candidacy's live state until it reaches `stage`."""

    async def state() -> dict[str, Any]:
        response = await stack.http.get(f"/candidacies/{candidacy_id}", headers=actor.auth)
        return dict(response.json())

    found: dict[str, Any] = await ticking(stack, state, lambda s: s.get("stage") == stage)
    return found


async def gather_at_most(calls: list[Awaitable[T]], size: int) -> list[T]:
    """`asyncio.gather` with at most `size` calls under way at once, each starting as soon as one
    ends (setting up many workflows without a stampede); answers their results in order."""
    turns = asyncio.Semaphore(size)

    async def in_turn(call: Awaitable[T]) -> T:
        async with turns:
            return await call

    return list(await asyncio.gather(*(in_turn(call) for call in calls)))


async def skip_to(stack: Stack, moment: datetime) -> None:
    """Skip workflow time forward to `moment` (nothing when it has passed)."""
    now = await stack.env.get_current_time()
    if moment > now:
        await stack.env.sleep(moment - now)


async def eventually(
    probe: Callable[[], Awaitable[Any]], check: Callable[[Any], bool], seconds: float = 10
) -> Any:
    """The probe's value once `check` accepts it: the worker's activities run asynchronously to
    the API's answers. Fails after `seconds` of wall time."""
    return await _polled(probe, check, seconds, lambda: asyncio.sleep(0.05))


async def notified(
    stack: Stack, user_id: str, kind: str, count: int = 1, *, emailed: bool = False
) -> list[Notification]:
    """The user's notifications of a kind, once there are `count` of them (exactly); with
    `emailed`, once each has also been handed to the mail server (the row is written first)."""
    rows: list[Notification] = await eventually(
        lambda: notifications_of(stack, user_id, kind),
        lambda rows: len(rows) >= count and (not emailed or all(r.emailed_at for r in rows)),
    )
    assert len(rows) == count, [r.event_key for r in rows]
    return rows


async def notifications_of(
    stack: Stack, user_id: str, kind: str | None = None
) -> list[Notification]:
    async with stack.db.session() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(await session.exec(query.order_by(col(Notification.created_at))))


async def record_history(client: Client, workflow_id: str, name: str, keep: int = 3) -> None:
    """With RECORD_HISTORIES=1, keep the histories of a workflow's runs for the replay tests
    (tests/replay/histories/<name>.run<n>.json): the first run, and the last `keep - 1` ones (a run
    continued as new names its predecessor)."""
    if os.environ.get("RECORD_HISTORIES") != "1":
        return
    histories = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            break
    histories.reverse()
    chosen = histories if len(histories) <= keep else [histories[0], *histories[-(keep - 1) :]]
    HISTORIES.mkdir(exist_ok=True)
    for stale in HISTORIES.glob(f"{name}.run*.json"):
        stale.unlink()
    for number, history in enumerate(chosen, start=1):
        (HISTORIES / f"{name}.run{number}.json").write_text(history.to_json())
