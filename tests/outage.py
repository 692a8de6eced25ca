"""A mail server that accepts connections and never answers, swapped into a running stack, and
the checks that go with it: a request answers in bounded time, and once the mail server is back
every notice reaches its recipient exactly once."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from tests.helpers import notifications_of
from tests.mail import SilentServer
from tests.stack import Actor, Stack

ANSWER_WITHIN = 2.0  # seconds, whatever the mail server does
RECOVERY_WITHIN = 120.0  # seconds of wall time for the retries to deliver everything


@asynccontextmanager
async def mail_silent(stack: Stack) -> AsyncIterator[None]:
    """Point the stack's SMTP settings at a silent server; on leaving, point them back at the
    real one and hang up on the silent server (the sends stuck there then fail and retry)."""
    silent = SilentServer()
    await silent.start()
    stack.settings.smtp_port = silent.port
    try:
        yield
    finally:
        stack.settings.smtp_port = stack.mail.port
        await silent.stop()


async def answered_in_time(request: Awaitable[httpx.Response]) -> httpx.Response:
    started = time.monotonic()
    response = await asyncio.wait_for(request, timeout=30)
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN, f"answered after {elapsed:.1f} s: {response.text}"
    return response


async def emailed_once_each(stack: Stack, expected: dict[str, tuple[Actor, list[str]]]) -> None:
    """Each recipient has a notification of every expected kind, every notification row of theirs
    was emailed, and they received exactly one email per row. Workflow time moves 30 s between
    looks, so the delivery retries' backoff passes."""
    deadline = time.monotonic() + RECOVERY_WITHIN
    while True:
        pending = []
        for _, (actor, kinds) in expected.items():
            rows = await notifications_of(stack, actor.id)
            have = {r.kind for r in rows}
            if not set(kinds) <= have or any(r.emailed_at is None for r in rows):
                pending.append((actor.id, sorted(have), kinds))
            elif len(stack.mail.to(actor.email)) < len(rows):
                pending.append((actor.id, "emails", len(rows)))
        if not pending:
            break
        assert time.monotonic() < deadline, f"not delivered: {pending}"
        await stack.env.sleep(timedelta(seconds=30))
    for _, (actor, _kinds) in expected.items():
        rows = await notifications_of(stack, actor.id)
        emails = stack.mail.to(actor.email)
        ids = [str(m["Message-ID"]) for m in emails]
        assert len(emails) == len(rows), [r.kind for r in rows]
        assert len(set(ids)) == len(ids)
