"""Slot burst: 200 concurrent claims on 50 open slots of one job post round, through the HTTP API,
against a Temporal dev server this script starts itself (`make bench`).

Pieces, each its own process as in production: `temporal server start-dev` (with
history.maxInFlightUpdates=500), the worker (`python -m workers.worker`) and the API (uvicorn on a
free loopback port); this process seeds the data, fires the claims and measures. The baseline, in
the same run on the same server: as many concurrent no-op updates on one trivial workflow.

Prints the figures, then one JSON object as its last line: claims_per_s, p50_ms, p99_ms,
bookings, double_bookings, errors_5xx, baseline_per_s, ratio.

Options: --claims N (200), --slots N (50), --database-url URL (default: a SQLite file in a
temporary folder; a PostgreSQL URL is used as given, so give an empty database).
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from bench.noop_workflow import NoopWorkflow
from store.accounts import create_company, create_contractor, create_user
from store.db import Database
from store.models import Slot
from tests.process_stack import ProcessStack

SETUP_CONCURRENCY = 20


def say(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclass
class Measured:
    per_s: float
    p50_ms: float
    p99_ms: float


def measured(latencies: list[float], wall: float) -> Measured:
    return Measured(
        per_s=len(latencies) / wall,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def quiet(pid: int, limit: float = 120.0) -> None:
    """Wait until the process is idle (under 5% of a core for a second): the interviews'
    start-up work (notifications, the slot pool) is done and does not compete with the burst."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        used = cpu_seconds(pid)
        await asyncio.sleep(1)
        if cpu_seconds(pid) - used < 0.05:
            return


@asynccontextmanager
async def running_stack(folder: Path, database_url: str) -> AsyncIterator[dict[str, Any]]:
    """Temporal dev server, worker and API, each a child process; stopped in reverse order."""
    stack = ProcessStack(
        folder, database_url, persistent=False, task_queue="hiring-bench", log_level="error"
    )
    try:
        await stack.start()
        client = await stack.connect()
        yield {
            "client": client,
            "base_url": stack.base_url,
            "address": stack.address,
            "pids": stack.pids,
        }
    finally:
        stack.stop_all()


async def seed(db: Database, contractors: int) -> tuple[str, str, list[tuple[str, str]]]:
    """A client (id, token) and the contractors (id, token)."""
    suffix = uuid.uuid4().hex[:6]
    async with db.session() as session:
        company = await create_company(session, f"Bench {suffix}")
        client, client_token = await create_user(
            session,
            role="client",
            name="Bench client",
            email=f"client-{suffix}@bench.example",
            company_id=company.id,
        )
        people = []
        for i in range(contractors):
            user, token = await create_contractor(
                session,
                name=f"Contractor {i}",
                email=f"contractor-{i}-{suffix}@bench.example",
                hourly_rate_cents=4000,
                industries=["software"],
                languages=["English"],
            )
            people.append((user.id, token))
    return client.id, client_token, people


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def in_parallel(calls: list[Awaitable[Any]], limit: int) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[Any]) -> Any:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


async def prepare(
    http: httpx.AsyncClient, client_token: str, people: list[tuple[str, str]], slots: int
) -> tuple[str, list[tuple[str, str]], list[str]]:
    """A job post, every contractor invited with round 1 requested, and the open slots."""
    job = await http.post(
        "/job-posts",
        json={
            "title": "Benchmark support lead",
            "budget_min_cents": 3000,
            "budget_max_cents": 5000,
            "industry": "software",
        },
        headers=bearer(client_token),
    )
    job.raise_for_status()
    job_id = job.json()["id"]

    async def waiting(contractor_id: str, token: str) -> tuple[str, str]:
        invited = await http.post(
            f"/job-posts/{job_id}/invitations",
            json={"contractor_id": contractor_id},
            headers=bearer(client_token),
        )
        invited.raise_for_status()
        requested = await http.post(
            f"/candidacies/{invited.json()['id']}/interview-requests",
            json={},
            headers=bearer(client_token),
        )
        requested.raise_for_status()
        return token, requested.json()["interview_id"]

    contenders = await in_parallel([waiting(cid, tok) for cid, tok in people], SETUP_CONCURRENCY)
    first = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    proposed = await http.post(
        f"/job-posts/{job_id}/rounds/1/slots",
        json={
            "slots": [
                {"start": (first + timedelta(minutes=30 * i)).isoformat(), "duration_minutes": 30}
                for i in range(slots)
            ]
        },
        headers=bearer(client_token),
    )
    proposed.raise_for_status()
    return job_id, contenders, [s["id"] for s in proposed.json()]


async def burst(
    http: httpx.AsyncClient, contenders: list[tuple[str, str]], slot_ids: list[str]
) -> tuple[list[float], float, list[tuple[str, str, int]]]:
    """Every contender claims one slot at once (slot i mod n): latencies, wall time, answers."""
    start_line = asyncio.Event()

    async def claim(i: int, token: str, interview_id: str) -> tuple[float, tuple[str, str, int]]:
        slot_id = slot_ids[i % len(slot_ids)]
        await start_line.wait()
        began = time.perf_counter()
        response = await http.post(
            f"/interviews/{interview_id}/claim", json={"slot_id": slot_id}, headers=bearer(token)
        )
        return time.perf_counter() - began, (interview_id, slot_id, response.status_code)

    tasks = [
        asyncio.ensure_future(claim(i, token, interview_id))
        for i, (token, interview_id) in enumerate(contenders)
    ]
    await asyncio.sleep(0.5)  # every request ready at the line
    began = time.perf_counter()
    start_line.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    return [r[0] for r in results], wall, [r[1] for r in results]


async def baseline(client: Client, count: int) -> tuple[list[float], float]:
    """`count` concurrent no-op updates on one trivial workflow, on the same server."""
    queue = f"bench-noop-{uuid.uuid4().hex[:6]}"
    async with Worker(client, task_queue=queue, workflows=[NoopWorkflow]):
        handle = await client.start_workflow(
            NoopWorkflow.run, id=f"bench-noop-{uuid.uuid4().hex[:8]}", task_queue=queue
        )
        await handle.execute_update(NoopWorkflow.touch, 0)  # warm: the workflow is running

        async def touch(i: int) -> float:
            began = time.perf_counter()
            await handle.execute_update(NoopWorkflow.touch, i)
            return time.perf_counter() - began

        began = time.perf_counter()
        latencies = await asyncio.gather(*(touch(i) for i in range(count)))
        wall = time.perf_counter() - began
        await handle.signal(NoopWorkflow.finish)
        await handle.result()
    return list(latencies), wall


async def bookings_in(db: Database, job_id: str) -> tuple[int, int]:
    """(booked slots, double bookings: a slot claimed twice or an interview holding two)."""
    async with db.session() as session:
        rows = list(
            await session.exec(
                select(Slot).where(Slot.job_post_id == job_id, Slot.status == "booked")
            )
        )
    per_interview = Counter(r.interview_id for r in rows)
    return len(rows), sum(n - 1 for n in per_interview.values() if n > 1)


async def run(claims: int, slots: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="slot-burst-") as name:
        folder = Path(name)
        url = database_url or f"sqlite:///{folder / 'hiring.db'}"
        async with running_stack(folder, url) as stack:
            db = Database(url)
            try:
                _, client_token, people = await seed(db, claims)
                limits = httpx.Limits(max_connections=claims + 10, max_keepalive_connections=claims)
                async with httpx.AsyncClient(
                    base_url=stack["base_url"], limits=limits, timeout=120
                ) as http:
                    say(f"setting up {claims} candidacies with round 1 requested, {slots} slots")
                    set_up = time.perf_counter()
                    job_id, contenders, slot_ids = await prepare(http, client_token, people, slots)
                    say(f"  ready in {time.perf_counter() - set_up:.1f} s")
                    await quiet(stack["pids"]["worker"])
                    say(f"burst: {claims} concurrent claims on {slots} slots")
                    before = {k: cpu_seconds(p) for k, p in stack["pids"].items()}
                    latencies, wall, answers = await burst(http, contenders, slot_ids)
                    cpu = {k: cpu_seconds(p) - before[k] for k, p in stack["pids"].items()}
                    say(
                        f"  {wall:.2f} s; CPU seconds used meanwhile: "
                        + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
                    )
                statuses = Counter(status for _, _, status in answers)
                won = [(i, s) for i, s, status in answers if status == 200]
                booked, doubles = await bookings_in(db, job_id)
                doubles += len(won) - len({s for _, s in won})  # a slot answered 200 twice
                say(f"baseline: {claims} concurrent no-op updates on one workflow")
                base_latencies, base_wall = await baseline(stack["client"], claims)
            finally:
                await db.dispose()
    claim_figures = measured(latencies, wall)
    base = measured(base_latencies, base_wall)
    return {
        "claims_per_s": round(claim_figures.per_s, 1),
        "p50_ms": round(claim_figures.p50_ms, 1),
        "p99_ms": round(claim_figures.p99_ms, 1),
        "bookings": booked,
        "double_bookings": doubles,
        "errors_5xx": sum(n for status, n in statuses.items() if status >= 500),
        "baseline_per_s": round(base.per_s, 1),
        "baseline_p50_ms": round(base.p50_ms, 1),
        "baseline_p99_ms": round(base.p99_ms, 1),
        "ratio": round(claim_figures.per_s / base.per_s, 3),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    result = asyncio.run(run(args.claims, args.slots, args.database_url))
    say(
        f"claims: {result['claims_per_s']}/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms; answers {result['statuses']}"
    )
    say(
        f"bookings {result['bookings']} of {args.slots} slots, double bookings "
        f"{result['double_bookings']}, 5xx {result['errors_5xx']}"
    )
    say(
        f"baseline (no-op updates, one workflow): {result['baseline_per_s']}/s, "
        f"p50 {result['baseline_p50_ms']} ms, p99 {result['baseline_p99_ms']} ms"
    )
    say(f"ratio claims/baseline: {result['ratio']}")
    keys = (
        "claims_per_s", "p50_ms", "p99_ms", "bookings", "double_bookings", "errors_5xx",
        "baseline_per_s", "ratio",
    )  # fmt: skip
    print(json.dumps({key: result[key] for key in keys}), flush=True)


if __name__ == "__main__":
    main()
