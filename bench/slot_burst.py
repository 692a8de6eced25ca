"""Slot burst: N concurrent claims on M open slots of one job post round, through the HTTP API,
against a Temporal dev server this script starts itself (`make bench`).

Pieces, each its own process as in production: `temporal server start-dev` (with
history.maxInFlightUpdates=500), the worker (`python -m workers.worker`) and the API (uvicorn
serving the product's app plus one bench-only route, `bench.app`); this process seeds the data,
fires the requests with a plain asyncio HTTP/1.1 client (`bench.http_client`) and measures.

In one run, on the same server:
- the claim burst: every contender claims one slot at once (contender i, slot i mod M);
- a losing burst: some of the losers claim again, on slots that are all taken;
- the raw baseline: concurrent no-op updates on one trivial workflow, from the Temporal client;
- the HTTP floor: the same requests through the API's bench-only route, which authenticates and
  runs one no-op update on one workflow, fired like the claims.
A claim is judged only by its HTTP answer (200 booked, 409 refused); the bookings are checked in
the database rows and in the interviews' states (GET /interviews/{id}), and the history events a
claim writes are counted from the server's histories.

Prints the figures, then one JSON object as its last line (see README, "Benchmarks").

Options: --claims N (200), --slots M (50), --database-url URL (default: a SQLite file in a
temporary folder; a PostgreSQL URL is used as given, so give an empty database).
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench.app import NOOP_PATH
from bench.histories import events_added, history_events
from bench.http_client import Pool
from bench.noop_workflow import NoopWorkflow
from core.db import Database
from store.accounts import create_company, create_contractor, create_user
from store.models import Slot
from tests.helpers import gather_at_most
from tests.process_stack import ProcessStack
from workers.dev_stack import POOL_UPDATES_IN_FLIGHT

SETUP_CONCURRENCY = 20
SLOTS_PER_PROPOSAL = 50  # the most one POST .../slots takes
READ_CONCURRENCY = 50
# The baselines keep at most this many updates in flight on their one workflow: the server
# refuses more than history.maxInFlightUpdates (500) at once.
BASELINE_IN_FLIGHT = 400
LOSING_CLAIMS = 20
SETTLE_TRIES = 10
TRANSPORT_ERROR = 0  # the status recorded for a request that got no HTTP answer


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

    @classmethod
    def of(cls, latencies: list[float], wall: float) -> "Measured":
        return cls(
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


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_now(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process of the stack, and of this one (`client`)."""
    return {**{name: cpu_seconds(pid) for name, pid in pids.items()}, "client": own_cpu_seconds()}


def cpu_since(before: dict[str, float], pids: dict[str, int]) -> dict[str, float]:
    now = cpu_now(pids)
    return {name: now[name] - used for name, used in before.items()}


# A process is idle under this share of a core for a second (the dev server ticks on its own).
IDLE_SHARE = {"temporal": 0.10, "worker": 0.05, "api": 0.05}


async def quiet(pids: dict[str, int], limit: float = 120.0) -> None:
    """Wait until the stack is idle: the work a step started (notifications, the slot pool, the
    winners' follow-ups) is done and neither competes with the next step nor is missed by it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        used = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.sleep(1)
        if all(cpu_seconds(pid) - used[n] < IDLE_SHARE.get(n, 0.05) for n, pid in pids.items()):
            return


async def settled_events(client: Client, pids: dict[str, int]) -> dict[tuple[str, str], int]:
    """The server's history lengths once the stack is idle and two counts agree: work done
    later in batches (timers, signals between workflows) is counted with the step that caused it."""
    counted = await history_events(client)
    for _ in range(SETTLE_TRIES):
        await quiet(pids)
        again = await history_events(client)
        if again == counted:
            break
        counted = again
    return counted


@asynccontextmanager
async def running_stack(folder: Path, database_url: str) -> AsyncIterator[ProcessStack]:
    """Temporal dev server, worker and API, each a child process; stopped in reverse order."""
    stack = ProcessStack(
        folder,
        database_url,
        persistent=False,
        task_queue="hiring-bench",
        log_level="error",
        api_factory="bench.app:create_bench_app",
        # As the dev stack: the dev server takes 500 updates in flight per workflow.
        env={"POOL_UPDATES_IN_FLIGHT": POOL_UPDATES_IN_FLIGHT},
    )
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop_all()


async def seed(db: Database, contractors: int) -> tuple[str, list[tuple[str, str]]]:
    """A client's token, and the contractors (id, token)."""
    suffix = uuid.uuid4().hex[:6]
    async with db.session() as session:
        company = await create_company(session, f"Bench {suffix}")
        _, client_token = await create_user(
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
    return client_token, people


async def post(pool: Pool, path: str, token: str, body: Any) -> Any:
    """A set-up call that must succeed: its JSON answer."""
    answer = await pool.request("POST", path, token=token, body=body)
    if answer.status >= 300:
        raise RuntimeError(f"POST {path} answered {answer.status}: {answer.body[:500]!r}")
    return answer.json()


async def prepare(
    pool: Pool, client_token: str, people: list[tuple[str, str]], slots: int
) -> tuple[str, list[tuple[str, str]], list[str]]:
    """A job post, every contractor invited with round 1 requested, and the open slots:
    (job post id, contenders as (token, interview id), slot ids). Not measured."""
    job = {
        "title": "Benchmark support lead",
        "budget_min_cents": 3000,
        "budget_max_cents": 5000,
        "industry": "software",
    }
    job_id = (await post(pool, "/job-posts", client_token, job))["id"]

    async def waiting(contractor_id: str, token: str) -> tuple[str, str]:
        invitations = f"/job-posts/{job_id}/invitations"
        invited = await post(pool, invitations, client_token, {"contractor_id": contractor_id})
        requests = f"/candidacies/{invited['id']}/interview-requests"
        return token, (await post(pool, requests, client_token, {}))["interview_id"]

    contenders = await gather_at_most([waiting(cid, tok) for cid, tok in people], SETUP_CONCURRENCY)
    first = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    offered = [
        {"start": (first + timedelta(minutes=30 * i)).isoformat(), "duration_minutes": 30}
        for i in range(slots)
    ]
    slot_ids = []
    for at in range(0, slots, SLOTS_PER_PROPOSAL):
        batch = {"slots": offered[at : at + SLOTS_PER_PROPOSAL]}
        proposed = await post(pool, f"/job-posts/{job_id}/rounds/1/slots", client_token, batch)
        slot_ids += [s["id"] for s in proposed]
    return job_id, contenders, slot_ids


@dataclass
class Request:
    method: str
    path: str
    token: str
    body: Any = None


@dataclass
class Fired:
    latencies: list[float]
    wall: float
    statuses: list[int]
    bodies: list[Any]

    @property
    def measured(self) -> Measured:
        return Measured.of(self.latencies, self.wall)


async def fire(pool: Pool, requests: list[Request], limit: int | None = None) -> Fired:
    """Send the requests at once (at most `limit` in flight), each timed from the start line."""
    start_line = asyncio.Event()
    gate = asyncio.Semaphore(limit or len(requests))

    async def one(request: Request) -> tuple[float, int, Any]:
        await start_line.wait()
        async with gate:
            began = time.perf_counter()
            try:
                answer = await pool.request(
                    request.method, request.path, token=request.token, body=request.body
                )
            except (OSError, asyncio.IncompleteReadError) as error:
                return time.perf_counter() - began, TRANSPORT_ERROR, str(error)
            return time.perf_counter() - began, answer.status, answer.json()

    tasks = [asyncio.ensure_future(one(r)) for r in requests]
    await asyncio.sleep(0.2)  # every request waiting at the line
    began = time.perf_counter()
    start_line.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    return Fired(
        latencies=[r[0] for r in results],
        wall=wall,
        statuses=[r[1] for r in results],
        bodies=[r[2] for r in results],
    )


def slot_of(i: int, slot_ids: list[str]) -> str:
    return slot_ids[i % len(slot_ids)]


def claims(contenders: list[tuple[str, str]], slot_ids: list[str]) -> list[Request]:
    """Contender i claims slot i mod M."""
    return [
        Request(
            "POST", f"/interviews/{interview_id}/claim", token, {"slot_id": slot_of(i, slot_ids)}
        )
        for i, (token, interview_id) in enumerate(contenders)
    ]


def winners(
    contenders: list[tuple[str, str]], slot_ids: list[str], statuses: list[int]
) -> set[tuple[str, str]]:
    """(interview id, slot id) of every claim answered 200."""
    return {
        (interview_id, slot_of(i, slot_ids))
        for i, (_, interview_id) in enumerate(contenders)
        if statuses[i] == 200
    }


@asynccontextmanager
async def noop_workflow(client: Client) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    """A running NoopWorkflow, its worker in this process; finished on the way out."""
    queue = f"bench-noop-{uuid.uuid4().hex[:6]}"
    async with Worker(client, task_queue=queue, workflows=[NoopWorkflow]):
        handle = await client.start_workflow(
            NoopWorkflow.run, id=f"bench-noop-{uuid.uuid4().hex[:8]}", task_queue=queue
        )
        await handle.execute_update(NoopWorkflow.touch, 0)  # warm: the workflow is running
        try:
            yield handle
        finally:
            await handle.signal(NoopWorkflow.finish)
            await handle.result()


async def raw_baseline(client: Client, count: int) -> Measured:
    """`count` no-op updates on one trivial workflow, sent at once from the Temporal client."""
    async with noop_workflow(client) as handle:
        gate = asyncio.Semaphore(BASELINE_IN_FLIGHT)

        async def touch(i: int) -> float:
            async with gate:
                began = time.perf_counter()
                await handle.execute_update(NoopWorkflow.touch, i)
                return time.perf_counter() - began

        began = time.perf_counter()
        latencies = await asyncio.gather(*(touch(i) for i in range(count)))
        return Measured.of(list(latencies), time.perf_counter() - began)


async def http_floor(client: Client, pool: Pool, tokens: list[str], count: int) -> Fired:
    """`count` authenticated no-op updates on one workflow through the API, fired like claims."""
    async with noop_workflow(client) as handle:
        path = NOOP_PATH.format(workflow_id=handle.id)
        await pool.reconnect()
        requests = [Request("POST", path, tokens[i % len(tokens)]) for i in range(count)]
        return await fire(pool, requests, limit=BASELINE_IN_FLIGHT)


@dataclass
class Checked:
    bookings: int  # booked slot rows
    double_bookings: int
    booked_states: int  # interviews whose state shows a booking
    mismatches: int  # a 200 without its row or state, or a row or state without its 200


async def check_bookings(
    db: Database,
    pool: Pool,
    job_id: str,
    contenders: list[tuple[str, str]],
    won: set[tuple[str, str]],
) -> Checked:
    """The bookings as the database rows and the interviews' states tell them, against the
    answers: `won` holds the (interview id, slot id) of every 200."""
    async with db.session() as session:
        rows = list(
            await session.exec(
                select(Slot).where(Slot.job_post_id == job_id, Slot.status == "booked")
            )
        )
    in_rows = {(r.interview_id or "", r.id) for r in rows}
    reads = [
        Request("GET", f"/interviews/{interview_id}", token) for token, interview_id in contenders
    ]
    states = await fire(pool, reads, limit=READ_CONCURRENCY)
    in_states = {
        (body["interview_id"], body["booking"]["slot_id"])
        for status, body in zip(states.statuses, states.bodies, strict=True)
        if status == 200 and body["status"] == "booked" and body.get("booking")
    }
    doubles = 0
    for held in (in_rows, in_states, won):
        per_interview = Counter(interview for interview, _ in held)
        per_slot = Counter(slot for _, slot in held)
        doubles = max(
            doubles,
            sum(n - 1 for n in per_interview.values() if n > 1)
            + sum(n - 1 for n in per_slot.values() if n > 1),
        )
    return Checked(
        bookings=len(rows),
        double_bookings=doubles,
        booked_states=len(in_states),
        mismatches=len(won ^ in_rows) + len(won ^ in_states),
    )


def per_claim(events: dict[str, int], claims: int) -> dict[str, float]:
    return {kind: round(n / claims, 2) for kind, n in sorted(events.items())} if claims else {}


async def run(n_claims: int, n_slots: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="slot-burst-") as name:
        folder = Path(name)
        url = database_url or f"sqlite:///{folder / 'hiring.db'}"
        async with running_stack(folder, url) as stack:
            client = await stack.connect()
            pids = stack.pids
            db = Database(url)
            pool = Pool.for_url(stack.base_url, n_claims)
            try:
                client_token, people = await seed(db, n_claims)
                say(f"setting up {n_claims} candidacies with round 1 requested, {n_slots} slots")
                set_up = time.perf_counter()
                job_id, contenders, slot_ids = await prepare(pool, client_token, people, n_slots)
                say(f"  ready in {time.perf_counter() - set_up:.1f} s")
                events_before = await settled_events(client, pids)
                await pool.reconnect()

                say(f"burst: {n_claims} concurrent claims on {n_slots} slots")
                cpu_before = cpu_now(pids)
                burst = await fire(pool, claims(contenders, slot_ids))
                cpu_burst = cpu_since(cpu_before, pids)
                await quiet(pids)
                cpu_settled = cpu_since(cpu_before, pids)
                events_after_burst = await settled_events(client, pids)
                say(f"  {burst.wall:.2f} s; CPU seconds in the burst: " + cpu_line(cpu_burst))
                say("  and until the stack is idle again: " + cpu_line(cpu_settled))

                won = winners(contenders, slot_ids, burst.statuses)
                losers = [
                    contender
                    for contender, status in zip(contenders, burst.statuses, strict=True)
                    if status == 409
                ][:LOSING_CLAIMS]
                say(f"losing burst: {len(losers)} claims on taken slots")
                await pool.reconnect()
                lost = await fire(pool, claims(losers, slot_ids))
                events_after_loss = await settled_events(client, pids)

                checked = await check_bookings(db, pool, job_id, contenders, won)
                say(f"raw baseline: {n_claims} no-op updates on one workflow")
                base = await raw_baseline(client, n_claims)
                say(f"HTTP floor: {n_claims} authenticated no-op updates on one workflow")
                cpu_before_floor = cpu_now(pids)
                floor = await http_floor(client, pool, [t for t, _ in contenders], n_claims)
                cpu_floor = cpu_since(cpu_before_floor, pids)
            finally:
                pool.close()
                await db.dispose()

    loss_events = events_added(events_after_burst, events_after_loss)
    loss_per_claim = {k: n / len(lost.statuses) for k, n in loss_events.items()} if losers else {}
    burst_events = events_added(events_before, events_after_burst)
    burst_losers = sum(1 for s in burst.statuses if s == 409)
    # The burst's events less its losers' share (as the losing burst measured it): the winners'.
    win_events = {
        kind: n - burst_losers * loss_per_claim.get(kind, 0) for kind, n in burst_events.items()
    }
    claim = burst.measured
    floor_measured = floor.measured
    statuses = Counter(burst.statuses) + Counter(lost.statuses)
    bookings = checked.bookings
    return {
        "claims_per_s": round(claim.per_s, 1),
        "p50_ms": round(claim.p50_ms, 1),
        "p99_ms": round(claim.p99_ms, 1),
        "bookings": bookings,
        "double_bookings": checked.double_bookings,
        "errors_5xx": sum(n for status, n in statuses.items() if status >= 500),
        "baseline_per_s": round(base.per_s, 1),
        "ratio": round(claim.per_s / base.per_s, 3),
        "http_floor_per_s": round(floor_measured.per_s, 1),
        "ratio_http_floor": round(claim.per_s / floor_measured.per_s, 3),
        "events_per_win": round(sum(win_events.values()) / bookings, 2) if bookings else None,
        "events_per_loss": round(sum(loss_per_claim.values()), 2) if losers else None,
        "client_cpu_s": round(cpu_burst["client"], 2),
        # the rest: detail for the lines printed before
        "slots": n_slots,
        "baseline_p50_ms": round(base.p50_ms, 1),
        "baseline_p99_ms": round(base.p99_ms, 1),
        "http_floor_p50_ms": round(floor_measured.p50_ms, 1),
        "http_floor_p99_ms": round(floor_measured.p99_ms, 1),
        "http_floor_errors": sum(1 for s in floor.statuses if s != 200),
        "transport_errors": statuses[TRANSPORT_ERROR],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "booked_states": checked.booked_states,
        "mismatches": checked.mismatches,
        "cpu_burst_s": {k: round(v, 2) for k, v in cpu_burst.items()},
        "cpu_floor_s": {k: round(v, 2) for k, v in cpu_floor.items()},
        "cpu_settled_s": {k: round(v, 2) for k, v in cpu_settled.items()},
        "win_events_by_workflow": per_claim({k: round(v) for k, v in win_events.items()}, bookings),
        "loss_events_by_workflow": per_claim(loss_events, len(lost.statuses)),
    }


def cpu_line(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {used:.2f}" for name, used in cpu.items())


JSON_KEYS = (
    "claims_per_s", "p50_ms", "p99_ms", "bookings", "double_bookings", "errors_5xx",
    "baseline_per_s", "ratio", "http_floor_per_s", "ratio_http_floor", "events_per_win",
    "events_per_loss", "win_events_by_workflow", "client_cpu_s", "transport_errors", "mismatches",
    "cpu_burst_s",
)  # fmt: skip


def report(result: dict[str, Any], n_claims: int) -> None:
    say(
        f"claims: {result['claims_per_s']}/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms; answers {result['statuses']}"
    )
    say(
        f"bookings {result['bookings']} of {result['slots']} slots (interviews showing one: "
        f"{result['booked_states']}), double bookings {result['double_bookings']}, "
        f"answers disagreeing with rows or states {result['mismatches']}, "
        f"5xx {result['errors_5xx']}, no answer {result['transport_errors']}"
    )
    cpu = result["cpu_burst_s"]
    say(
        "CPU per claim in the burst (ms): "
        + ", ".join(f"{name} {1000 * used / n_claims:.1f}" for name, used in cpu.items())
    )
    say(
        f"history events per winning claim {result['events_per_win']} "
        f"{result['win_events_by_workflow']}, per losing claim {result['events_per_loss']} "
        f"{result['loss_events_by_workflow']}"
    )
    say(
        f"raw baseline (no-op updates, one workflow): {result['baseline_per_s']}/s, "
        f"p50 {result['baseline_p50_ms']} ms, p99 {result['baseline_p99_ms']} ms"
    )
    say(
        f"HTTP floor (authenticated no-op update, one workflow): {result['http_floor_per_s']}/s, "
        f"p50 {result['http_floor_p50_ms']} ms, p99 {result['http_floor_p99_ms']} ms, "
        f"not 200: {result['http_floor_errors']}"
    )
    say(
        "CPU per request of the HTTP floor (ms): "
        + ", ".join(
            f"{name} {1000 * used / n_claims:.1f}" for name, used in result["cpu_floor_s"].items()
        )
    )
    say(
        f"ratio claims/raw baseline: {result['ratio']}; claims/HTTP floor: "
        f"{result['ratio_http_floor']}"
    )
    print(json.dumps({key: result[key] for key in JSON_KEYS}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    report(asyncio.run(run(args.claims, args.slots, args.database_url)), args.claims)


if __name__ == "__main__":
    main()
