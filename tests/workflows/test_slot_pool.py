"""The round's slot pool decides every claim in memory (README, "Scheduling: how claims stay
atomic"), on a real Temporal dev server with its database activities replaced by a stand-in that
keeps the rows in memory and says which interviews no longer run.

- A slot is booked once, whatever the race; a refused claim writes no history event.
- Each refusal names its reason: taken, withdrawn, expired (closer than 2 h), another round,
  already booked, not waiting (the interview asked when the pool has not heard of it).
- A move books the new slot before the old one is released, in one update.
- A booking told to an interview that has meanwhile ended is released again.
- An interview's notice (through an activity) names its signal: each name the client maps reaches
  the pool's handler of it, any other is refused before anything is sent.
- Past 2,000 claims (the server's limit of updates per run) the pool continues as new, carrying
  its slots, holders and what is still to be written."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.hiring import Booking, PoolMember, SlotPoolState, SlotsAdded
from contracts.notify import NotifyRequest
from contracts.slot_pool import (
    BOOKED,
    CONTRACTOR_LEFT,
    CONTRACTOR_WAITING,
    INTERVIEW_ENDED,
    OPEN,
    SLOTS_ADDED,
    SLOTS_WITHDRAWN,
    ClaimVerdict,
    OpsUsers,
    PoolSlot,
    ProjectionResult,
    RoundSlotsQuery,
    SlotClaim,
    SlotPoolActivities,
    SlotPoolNotice,
    SlotProjection,
    WithdrawSlot,
)
from domain.ids import interview_workflow_id, slot_pool_workflow_id
from workflows.slot_pool import UPDATES_PER_RUN, SlotPoolWorkflow
from workflows.slot_pool_client import (
    NOTICE_SIGNALS,
    PoolUpdate,
    held_slot,
    known_slots,
    pool_start,
    pool_task_queue,
    signal_slot_pool,
    update_slot_pool,
)

JOB = "jp_pooltest0"
ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


@dataclass
class Rows(SlotPoolActivities):
    """The database as the pool's activities see it: slot rows by id, and running interviews."""

    slots: dict[str, PoolSlot] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)  # interviews no longer running
    not_waiting: dict[str, str] = field(default_factory=dict)  # interview -> why not
    told: list[str] = field(default_factory=list)  # interviews told of a booking
    batches: int = 0
    # While cleared, a batch waits before writing: the rows stay behind the pool.
    writes: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.writes.set()

    @activity.defn(name="round_slots")
    async def round_slots(self, query: RoundSlotsQuery) -> list[PoolSlot]:
        if query.slot_id is not None:
            slot = self.slots.get(query.slot_id)
            return [slot] if slot else []
        return [s for s in self.slots.values() if s.round == query.round]

    @activity.defn(name="project_slots")
    async def project_slots(self, batch: SlotProjection) -> ProjectionResult:
        await self.writes.wait()
        self.batches += 1
        for row in batch.rows:
            self.slots[row.id] = row
        self.told.extend(b.interview_id for b in batch.tell)
        return ProjectionResult(
            ended=[b.interview_id for b in batch.tell if b.interview_id in self.ended]
        )

    @activity.defn(name="interview_claimable")
    async def interview_claimable(self, interview_id: str) -> ClaimVerdict:
        reason = self.not_waiting.get(interview_id)
        return ClaimVerdict(claimable=reason is None, reason=reason or "")

    @activity.defn(name="ops_user_ids")
    async def ops_user_ids(self) -> OpsUsers:
        return OpsUsers(user_ids=[])

    @activity.defn(name="tell_slot_pool")
    async def tell_slot_pool(self, notice: SlotPoolNotice) -> None:
        return None

    @activity.defn(name="send_notification")
    async def send_notification(self, request: NotifyRequest) -> None:
        return None

    def activities(self) -> list[Any]:
        return [*super().activities(), self.send_notification]


@dataclass
class Round:
    client: Client
    task_queue: str
    rows: Rows
    job_post_id: str

    @property
    def pool_id(self) -> str:
        return slot_pool_workflow_id(self.job_post_id, 1)

    def interview(self, n: int) -> str:
        return interview_workflow_id(self.job_post_id, f"u_c{n:05d}", 1)

    def add_slots(self, count: int, first: datetime, round_number: int = 1) -> list[str]:
        ids = [f"sl_{uuid.uuid4().hex[:12]}" for _ in range(count)]
        for i, slot_id in enumerate(ids):
            start = first + timedelta(minutes=30 * i)
            self.rows.slots[slot_id] = PoolSlot(
                id=slot_id, start=start, end=start + timedelta(minutes=30), round=round_number
            )
        return ids

    async def update(self, update: PoolUpdate[ArgT, ResultT], arg: ArgT) -> ResultT:
        start = pool_start(self.job_post_id, 1, "u_owner", "co_pool")
        return await update_slot_pool(self.client, self.task_queue, start, update, arg)

    async def claim(self, n: int, slot_id: str) -> Booking:
        return await self.update(
            SlotPoolWorkflow.claim,
            SlotClaim(interview_id=self.interview(n), slot_id=slot_id, contractor_id=f"u_c{n:05d}"),
        )

    async def refusal(self, n: int, slot_id: str) -> str:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await self.claim(n, slot_id)
        cause = refused.value.cause
        assert isinstance(cause, ApplicationError)
        return cause.message

    async def wait(self, *numbers: int) -> None:
        """The interviews tell the pool their contractor waits (starting it if need be)."""
        await self._tell_waiting(numbers[0])
        for first in range(1, len(numbers), 100):
            await asyncio.gather(*(self._tell_waiting(n) for n in numbers[first : first + 100]))

    def member(self, n: int) -> dict[str, Any]:
        member = PoolMember(interview_id=self.interview(n), contractor_id=f"u_c{n:05d}")
        return member.model_dump(mode="json")

    async def _tell_waiting(self, n: int) -> None:
        await self.tell(CONTRACTOR_WAITING, self.member(n))

    async def tell(self, signal: str, payload: dict[str, Any]) -> None:
        """What an interview's notice sends the pool, through its activity."""
        notice = SlotPoolNotice(
            job_post_id=self.job_post_id,
            round=1,
            owner_id="u_owner",
            company_id="co_pool",
            signal=signal,
            payload=payload,
        )
        await signal_slot_pool(self.client, self.task_queue, notice)

    async def loaded(self) -> None:
        """Until the pool has read the round's rows (claims before that wait in its handler)."""
        for _ in range(400):
            if (await self.state()).slots is not None:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the pool never read its slots")

    async def state(self) -> SlotPoolState:
        state: SlotPoolState = await self.client.get_workflow_handle(self.pool_id).query(
            SlotPoolWorkflow.status
        )
        return state

    async def histories(self) -> list[list[Any]]:
        """The events of every run of the pool, the latest run first (continued-as-new runs
        name the run they continue)."""
        runs: list[list[Any]] = []
        run_id: str | None = None
        while True:
            handle = self.client.get_workflow_handle(self.pool_id, run_id=run_id)
            events = list((await handle.fetch_history()).events)
            runs.append(events)
            started = events[0].workflow_execution_started_event_attributes
            run_id = started.continued_execution_run_id or None
            if run_id is None:
                return runs

    async def signals(self) -> list[str]:
        """The names of the signals the pool took, in order."""
        return [
            e.workflow_execution_signaled_event_attributes.signal_name
            for run in reversed(await self.histories())
            for e in run
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]

    async def events(self, kind: "EventType.ValueType") -> int:
        return sum(1 for run in await self.histories() for e in run if e.event_type == kind)


@pytest.fixture
async def pool_round(dev_env: WorkflowEnvironment) -> AsyncIterator[Round]:
    rows = Rows()
    task_queue = f"pool-{uuid.uuid4().hex[:8]}"
    async with Worker(
        dev_env.client,
        task_queue=pool_task_queue(task_queue),
        workflows=[SlotPoolWorkflow],
        activities=rows.activities(),
        max_concurrent_activities=50,
    ):
        yield Round(dev_env.client, task_queue, rows, f"jp_{uuid.uuid4().hex[:10]}")


def _ahead(days: float = 3) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


async def _until(check: Any, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()


async def test_a_slot_is_booked_once_when_20_claims_race_and_refusals_write_no_history(
    pool_round: Round,
) -> None:
    [slot] = pool_round.add_slots(1, _ahead())
    await pool_round.wait(*range(20))
    await pool_round.loaded()
    answers = await asyncio.gather(
        *(pool_round.claim(n, slot) for n in range(20)), return_exceptions=True
    )
    bookings = [a for a in answers if isinstance(a, Booking)]
    refused = [a for a in answers if isinstance(a, WorkflowUpdateFailedError)]
    assert (len(bookings), len(refused)) == (1, 19), answers
    assert {r.cause.message for r in refused if isinstance(r.cause, ApplicationError)} == {
        "this slot was just taken by someone else"
    }
    winner = answers.index(bookings[0])
    # The same claim again answers the same booking.
    assert await pool_round.claim(winner, slot) == bookings[0]
    # Accepted updates: the winning claim and its repeat; none of the refused ones.
    accepted = await pool_round.events(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    assert accepted == 2
    await _until(lambda: pool_round.rows.slots[slot].status == BOOKED)
    assert pool_round.rows.slots[slot].interview_id == pool_round.interview(winner)
    assert pool_round.rows.told == [pool_round.interview(winner)]


async def test_refused_claims_name_the_reason(pool_round: Round) -> None:
    first = _ahead()
    taken, withdrawn, open_slot = pool_round.add_slots(3, first)
    [expiring] = pool_round.add_slots(1, datetime.now(UTC) + timedelta(hours=1, minutes=59))
    [other_round] = pool_round.add_slots(1, first + timedelta(days=1), round_number=2)
    await pool_round.update(SlotPoolWorkflow.withdraw, WithdrawSlot(slot_id=withdrawn))
    await pool_round.wait(1, 2)
    await pool_round.claim(1, taken)

    assert await pool_round.refusal(2, taken) == "this slot was just taken by someone else"
    assert await pool_round.refusal(2, withdrawn) == "this slot was withdrawn by the client"
    assert await pool_round.refusal(2, expiring) == (
        "this slot has expired: it starts in less than 2 hours"
    )
    assert await pool_round.refusal(2, other_round) == "this slot is for round 2, not round 1"
    assert await pool_round.refusal(2, "sl_nosuchslot") == "no such slot for this job post"
    assert await pool_round.refusal(1, open_slot) == "this interview is already booked"
    pool_round.rows.not_waiting[pool_round.interview(3)] = "this interview is already cancelled"
    assert await pool_round.refusal(3, open_slot) == "this interview is already cancelled"
    # An interview the pool had not heard of, which waits: asked, then booked.
    assert (await pool_round.claim(4, open_slot)).slot_id == open_slot


async def test_a_move_books_the_new_slot_before_releasing_the_old_in_one_update(
    pool_round: Round,
) -> None:
    old, new, taken = pool_round.add_slots(3, _ahead())
    await pool_round.wait(1, 2)
    await pool_round.claim(1, old)
    await pool_round.claim(2, taken)
    move = SlotClaim(
        interview_id=pool_round.interview(1), slot_id=taken, keep_slot_id=old, by_interview=True
    )
    with pytest.raises(WorkflowUpdateFailedError):
        await pool_round.update(SlotPoolWorkflow.claim, move)
    state = await pool_round.state()
    slots = {s.id: s for s in state.slots or []}
    assert slots[old].interview_id == pool_round.interview(1)  # the old booking stands
    moved = move.model_copy(update={"slot_id": new})
    assert (await pool_round.update(SlotPoolWorkflow.claim, moved)).slot_id == new
    slots = {s.id: s for s in (await pool_round.state()).slots or []}
    assert (slots[new].status, slots[new].interview_id) == (BOOKED, pool_round.interview(1))
    assert (slots[old].status, slots[old].interview_id) == (OPEN, None)


async def test_a_booking_told_to_an_interview_that_ended_is_released_again(
    pool_round: Round,
) -> None:
    [slot] = pool_round.add_slots(1, _ahead())
    await pool_round.wait(1, 2)
    pool_round.rows.ended.add(pool_round.interview(1))
    await pool_round.claim(1, slot)
    await _until(
        lambda: (
            pool_round.interview(1) in pool_round.rows.told
            and pool_round.rows.slots[slot].status == OPEN
        )
    )
    assert (await pool_round.claim(2, slot)).slot_id == slot


async def test_the_pool_answers_a_booking_and_the_open_slots_before_its_rows_are_written(
    pool_round: Round,
) -> None:
    """What a 200 leads to next reads the pool: the slot an interview holds, and the slots
    still open, as the pool holds them while its batch to the rows is still to be written."""
    claimed, still_open = pool_round.add_slots(2, _ahead())
    await pool_round.wait(1, 2)
    await pool_round.loaded()
    pool_round.rows.writes.clear()
    await pool_round.claim(1, claimed)

    held = await held_slot(pool_round.client, pool_round.job_post_id, 1, pool_round.interview(1))
    assert held is not None and held.slot is not None
    assert (held.slot.id, held.slot.status) == (claimed, BOOKED)
    nothing = await held_slot(pool_round.client, pool_round.job_post_id, 1, pool_round.interview(2))
    assert nothing is not None and nothing.slot is None
    known = await known_slots(pool_round.client, pool_round.job_post_id, 1)
    assert {s.id: s.status for s in known or []} == {claimed: BOOKED, still_open: OPEN}
    assert pool_round.rows.slots[claimed].status == OPEN  # the rows are a batch behind
    pool_round.rows.writes.set()
    await _until(lambda: pool_round.rows.slots[claimed].status == BOOKED)
    # A round whose pool has no run going answers None: its rows are complete.
    assert await known_slots(pool_round.client, "jp_nopoolhere", 1) is None


async def test_a_notice_reaches_the_pool_by_each_signal_name_it_may_carry_and_by_no_other(
    pool_round: Round,
) -> None:
    """An interview's notice carries its signal's name (it travels through an activity): each
    name reaches the pool's handler of it; any other (an update's, say) is refused unsent."""
    added = SlotsAdded(batch_id="sl_batch", count=1, first_start=_ahead())
    notices = [
        (CONTRACTOR_WAITING, pool_round.member(1)),
        (CONTRACTOR_WAITING, pool_round.member(2)),
        (CONTRACTOR_LEFT, pool_round.member(2)),
        (INTERVIEW_ENDED, pool_round.member(3)),
        (SLOTS_ADDED, added.model_dump(mode="json")),
        (SLOTS_WITHDRAWN, {}),
    ]
    assert {signal for signal, _ in notices} == set(NOTICE_SIGNALS)
    for signal, payload in notices:
        await pool_round.tell(signal, payload)
    with pytest.raises(ValueError, match="unknown slot pool signal 'claim'"):
        await pool_round.tell("claim", {})

    # A signal that comes while a workflow task runs is written to the history after it.
    for _ in range(400):
        signalled = await pool_round.signals()
        if len(signalled) == len(notices):
            break
        await asyncio.sleep(0.05)
    assert signalled == [signal for signal, _ in notices]
    state = await pool_round.state()
    assert [m.interview_id for m in state.waiting] == [pool_round.interview(1)]
    assert state.batches_seen == ["sl_batch"]


async def test_a_pool_past_2000_claims_continues_as_new_and_books_each_slot_once(
    pool_round: Round,
) -> None:
    claims = 2 * UPDATES_PER_RUN + 100
    slots = pool_round.add_slots(claims, _ahead(days=2))
    await pool_round.wait(*range(claims))

    async def claim(n: int) -> Booking:
        return await pool_round.claim(n, slots[n])

    booked: list[Booking] = []
    for first in range(0, claims, 100):
        booked.extend(await asyncio.gather(*(claim(n) for n in range(first, first + 100))))
    assert [b.slot_id for b in booked] == slots
    runs = await pool_round.histories()
    assert len(runs) >= 3, "the pool did not continue as new"
    state = await pool_round.state()
    held = [s.interview_id for s in state.slots or [] if s.status == BOOKED]
    assert len(held) == claims and len(set(held)) == claims
    await _until(lambda: all(pool_round.rows.slots[s].status == BOOKED for s in slots), 60)
    assert len(set(pool_round.rows.told)) == claims
