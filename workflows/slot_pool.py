"""SlotPoolWorkflow: the interview slots of one job post round (`slots-<job>-r<n>`), and the one
place that decides who books which.

Everything that changes a slot of the round is an update (or signal) of this workflow, decided
in memory: a contractor's claim, an interview's own booking (a reschedule moves from its slot to
another in one step: the new one is booked before the old one is released), a release (a
cancelled booking, the end of an interview), new slots, a withdrawn slot, the job post's close.
A claim's validator refuses, with the reason, a slot taken, withdrawn, expired (closer than the
minimum notice) or of another round, a contractor who already holds a booking of the round or is
not waiting; a refused update writes nothing to history. An accepted claim is recorded in the
state and answered at once. Afterwards, in batches (a burst of claims gathered into one), one
activity writes the changed slot rows and tells each winner's candidacy and interview its
booking (signal `slot_booked`); a booking told to an interview that no longer runs is released
again. Until then the API reads the pool itself (queries `held_slot`, `known_slots`).

A fresh run reads the round's slots from their rows (the projection is complete whenever no run
is going, as a run ends only with nothing left to write); a claim the state cannot decide (an
unknown slot, an interview the pool has not heard from) is decided by its handler once the slot's
row has been read or the interview asked. The pool reprompts the owner at most once per 24 h
while open slots are fewer than waiting contractors, alerts ops after 3 unanswered prompts, and
announces new slots to those waiting (domain/reprompt.py). It continues as new every
UPDATES_PER_RUN updates, carrying its whole state, and ends once nobody waits, nothing is left to
write and the last prompt's 24 h have passed; the next update-with-start begins a new run.

Not sandboxed: every import is passed through (pydantic models, pure rules of `domain/`, the
activities' interfaces) and the code reads time only through `workflow.now()` and timers, keeps
no module-level mutable state, does no I/O and iterates only over insertion-ordered dicts and
lists, so a replay issues the same commands.
"""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ApplicationErrorCategory

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import Booking, PoolMember, SlotPoolStart, SlotPoolState, SlotsAdded
    from contracts.slot_pool import (
        BOOKED,
        CONTRACTOR_LEFT,
        CONTRACTOR_WAITING,
        INTERVIEW_ENDED,
        OPEN,
        SLOTS_ADDED,
        SLOTS_WITHDRAWN,
        WITHDRAWN,
        ClaimVerdict,
        HeldSlot,
        OpsUsers,
        PoolSlot,
        ProjectionResult,
        ProposedSlots,
        RoundSlotsQuery,
        SlotBooked,
        SlotClaim,
        SlotPoolActivities,
        SlotProjection,
        SlotRelease,
        WithdrawSlot,
    )
    from domain.errors import CONFLICT
    from domain.ids import parse_interview_workflow_id, slot_pool_workflow_id
    from domain.interviews import has_started
    from domain.reprompt import PROMPT_COOLDOWN, PoolAction, PromptStreak, is_shortage, pool_step
    from domain.slots import expires_at, is_bookable
    from workflows import search_attributes as sa
    from workflows.common import ACTIVITY_TIMEOUT, RETRY, at_utc, notify, run_activity, wait_until
    from workflows.interview import UNAVAILABLE
    from workflows.policies import ATTENDED, BOOKKEEPING, ActivityPolicy

# A slot expires the instant it is closer than the minimum notice; look just after that instant.
EXPIRY_MARGIN = timedelta(seconds=1)
BATCHES_REMEMBERED = 200
# The server takes at most 2,000 updates per run (history.maxTotalUpdates): hand over well before.
UPDATES_PER_RUN = 1000
# Reading and writing the rows is quick: a worker that died with the batch hands it over soon.
ROWS = ActivityPolicy(start_to_close=timedelta(seconds=10), retry=BOOKKEEPING.retry)
RETRY_FAILED_BATCH = timedelta(minutes=1)
# A burst of claims goes into one batch: its bookings are written and told once no claim has
# come for GATHER_QUIET (at most GATHER_WINDOWS times over), so the winners' follow-ups (invites
# built and sent by their interviews) do not compete with the claims still coming.
GATHER_QUIET = timedelta(milliseconds=200)
GATHER_WINDOWS = 10
GATHER_PATCH = "slot-pool-gathers-a-burst-of-claims-into-one-batch"


@workflow.defn(sandboxed=False)
class SlotPoolWorkflow:
    @workflow.init
    def __init__(self, start: SlotPoolStart) -> None:
        self.start = start
        carried = start.carried or SlotPoolState(job_post_id=start.job_post_id, round=start.round)
        self.state = carried
        self.waiting: dict[str, str] = {m.interview_id: m.contractor_id for m in carried.waiting}
        self.streak = PromptStreak(
            unanswered=carried.prompts_unanswered,
            total=carried.prompts_total,
            last_prompt_at=carried.last_prompt_at,
            ops_alerted=carried.ops_alerted,
        )
        self.slots: dict[str, PoolSlot] = {s.id: s for s in carried.slots or []}
        self.loaded = carried.slots is not None
        self.holders: dict[str, str] = {
            s.interview_id: s.id for s in self.slots.values() if s.interview_id is not None
        }
        self.unprojected: dict[str, None] = dict.fromkeys(carried.unprojected)
        self.untold: dict[str, SlotBooked] = {b.interview_id: b for b in carried.untold}
        self.closed = carried.closed
        self.changes = 0  # every change of a slot, in order; the projection follows them
        self.projected = 0
        self.projecting = False
        self.updates = 0  # updates taken by this run
        self.announcements: list[SlotsAdded] = []
        self.dirty = True

    @workflow.run
    async def run(self, start: SlotPoolStart) -> SlotPoolState:
        if not self.loaded:
            rows: list[PoolSlot] = await run_activity(
                SlotPoolActivities.round_slots,
                RoundSlotsQuery(job_post_id=start.job_post_id, round=start.round),
                ROWS,
            )
            for row in rows:
                self._learn_slot(row)
            self.loaded = True
        projector = asyncio.ensure_future(self._project())
        while True:
            self.dirty = False
            await self._announce_new_slots()
            wake_at = await self._apply_reprompt_rule()
            self._details()
            if self._idle():
                # A handler under way (a claim asking its interview) may still change things.
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._idle():
                    break
                continue
            if self.updates >= UPDATES_PER_RUN or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(
                    lambda: workflow.all_handlers_finished() and not self.projecting
                )
                projector.cancel()
                workflow.continue_as_new(
                    self.start.model_copy(update={"carried": self._carry()}),
                    search_attributes=workflow.info().typed_search_attributes,
                )
            if wake_at is None:
                await workflow.wait_condition(lambda: self.dirty)
            else:
                await wait_until(wake_at, lambda: self.dirty, "look at the round's slots again")
        await workflow.wait_condition(workflow.all_handlers_finished)
        projector.cancel()
        return self._carry()

    # --- claims and bookings ------------------------------------------------------------------

    @workflow.update(description="A contractor claims an open slot: booked at once, or refused.")
    async def claim(self, claim: SlotClaim) -> Booking:
        """Book an open slot of the round for an interview: the answer is immediate and final."""
        self._count_update()
        if not self._decidable(claim):
            await workflow.wait_condition(lambda: self.loaded)
            await self._learn(claim)
        self._check_claim(claim)
        return self._book(claim)

    @claim.validator
    def _validate_claim(self, claim: SlotClaim) -> None:
        if self._decidable(claim):
            self._check_claim(claim)

    @workflow.update(description="A booked slot goes back (a cancelled or moved booking).")
    async def release(self, release: SlotRelease) -> None:
        """Give a booked slot back (a cancelled or moved booking, an interview that ended);
        answers once its row says so. Releasing what the interview no longer holds is a no-op."""
        self._count_update()
        await workflow.wait_condition(lambda: self.loaded)
        slot = self.slots.get(release.slot_id)
        if slot is not None and slot.status == BOOKED and slot.interview_id == release.interview_id:
            self._free(slot, reopen=release.reopen)
        if release.waiting and release.interview_id not in self.holders and not self.closed:
            self.waiting[release.interview_id] = release.contractor_id
        self.dirty = True
        await self._written()

    @workflow.update(description="The client added slots: claimable at once, announced.")
    async def add_slots(self, proposed: ProposedSlots) -> int:
        """New slots (their rows are stored): claimable at once, announced to those waiting."""
        self._count_update()
        await workflow.wait_condition(lambda: self.loaded)
        for slot in proposed.slots:
            if slot.id not in self.slots:
                self._learn_slot(slot)
        self._slots_added(
            SlotsAdded(
                batch_id=proposed.batch_id,
                count=len(proposed.slots),
                first_start=min(s.start for s in proposed.slots),
            )
        )
        return self._open_count()

    @workflow.update(description="The client withdraws an open slot.")
    async def withdraw(self, withdrawal: WithdrawSlot) -> None:
        """Take an open slot away; a slot booked a moment earlier stays booked (409)."""
        self._count_update()
        await workflow.wait_condition(lambda: self.loaded)
        if withdrawal.slot_id not in self.slots:
            await self._read_slot(withdrawal.slot_id)
        self._check_withdrawal(withdrawal)
        slot = self.slots[withdrawal.slot_id]
        slot.status = WITHDRAWN
        self._changed(slot)
        await self._written()

    @withdraw.validator
    def _validate_withdrawal(self, withdrawal: WithdrawSlot) -> None:
        if self.loaded and withdrawal.slot_id in self.slots:
            self._check_withdrawal(withdrawal)

    @workflow.update(description="The job post closed: open slots withdrawn, no more claims.")
    async def close_round(self) -> int:
        """The job post closed: every open slot is withdrawn and no claim is taken any more
        (booked ones are withdrawn as their interviews end); answers how many were withdrawn."""
        self._count_update()
        await workflow.wait_condition(lambda: self.loaded)
        self.closed = True
        self.waiting.clear()  # nobody waits for a slot of a closed job post: no more prompts
        self.announcements.clear()
        self.dirty = True
        withdrawn = 0
        for slot in self.slots.values():
            if slot.status == OPEN:
                slot.status = WITHDRAWN
                self._changed(slot)
                withdrawn += 1
        await self._written()
        return withdrawn

    # --- signals from interviews: each is idempotent, as they may be delivered again -----------

    @workflow.signal(
        name=CONTRACTOR_WAITING,
        description="An interview's contractor starts waiting for a slot of the round.",
    )
    def contractor_waiting(self, member: PoolMember) -> None:
        if member.interview_id not in self.holders and not self.closed:
            self.waiting[member.interview_id] = member.contractor_id
        self.dirty = True

    @workflow.signal(
        name=CONTRACTOR_LEFT,
        description="An interview's contractor stops waiting (booked, or the interview ended).",
    )
    def contractor_left(self, member: PoolMember) -> None:
        self.waiting.pop(member.interview_id, None)
        self.dirty = True

    @workflow.signal(
        name=INTERVIEW_ENDED,
        description="An interview ended before taking place: a booking made for it goes back.",
    )
    async def interview_ended(self, member: PoolMember) -> None:
        """The interview ended before taking place: a booking made for it meanwhile goes back."""
        await workflow.wait_condition(lambda: self.loaded)
        self.waiting.pop(member.interview_id, None)
        held = self.holders.get(member.interview_id)
        if held is not None:
            self._free(self.slots[held], reopen=True)
        self.dirty = True

    @workflow.signal(
        name=SLOTS_ADDED,
        description="The client added slots to the round: the waiting contractors are told.",
    )
    def slots_added(self, added: SlotsAdded) -> None:
        """(Slots stored without the pool hearing of them: read when first claimed.)"""
        self._slots_added(added)

    @workflow.signal(
        name=SLOTS_WITHDRAWN,
        description="Slots of the round were withdrawn: the pool counts again.",
    )
    def slots_withdrawn(self, _payload: dict[str, Any]) -> None:
        self.dirty = True

    @workflow.query(description="Who waits, the slots, bookings and prompt streak of the round.")
    def status(self) -> SlotPoolState:
        return self._carry()

    @workflow.query(
        name="held_slot",
        description="The slot an interview holds in the round, told to it or not yet.",
    )
    def held_slot(self, interview_id: str) -> HeldSlot:
        held = self.holders.get(interview_id)
        return HeldSlot(slot=self.slots[held] if held is not None else None)

    @workflow.query(
        name="known_slots",
        description="Every slot of the round the pool knows, as it holds them.",
    )
    def known_slots(self) -> list[PoolSlot]:
        return list(self.slots.values())

    @workflow.query(description="The round's open slots still bookable, by start.")
    def open_slots(self) -> list[PoolSlot]:
        """The round's open slots still bookable, by start."""
        return sorted(self._bookable(), key=lambda s: s.start)

    def _count_update(self) -> None:
        """The main loop continues as new once the run has taken UPDATES_PER_RUN updates."""
        self.updates += 1
        if self.updates >= UPDATES_PER_RUN or workflow.info().is_continue_as_new_suggested():
            self.dirty = True

    # --- deciding --------------------------------------------------------------------------

    def _decidable(self, claim: SlotClaim) -> bool:
        """Whether the state alone decides the claim (else the handler learns what it lacks)."""
        return (
            self.loaded
            and claim.slot_id in self.slots
            and (
                claim.by_interview
                or claim.interview_id in self.waiting
                or claim.interview_id in self.holders
            )
        )

    def _check_claim(self, claim: SlotClaim) -> None:
        slot = self.slots.get(claim.slot_id)
        if slot is None:
            _refuse("no such slot for this job post")
            return
        if slot.round is not None and slot.round != self.start.round:
            _refuse(f"this slot is for round {slot.round}, not round {self.start.round}")
        held = self.holders.get(claim.interview_id)
        if held == claim.slot_id:
            return  # the same claim again: the same booking
        if self.closed:
            _refuse("this job post is closed")
        if slot.status == BOOKED:
            _refuse("this slot was just taken by someone else")
        if slot.status == WITHDRAWN:
            _refuse("this slot was withdrawn by the client")
        now = workflow.now()
        if not is_bookable(slot.start, now):
            _refuse("this slot has expired: it starts in less than 2 hours")
        if claim.by_interview:
            kept = self.slots.get(claim.keep_slot_id or "")
            if kept is not None and has_started(kept.start, now):
                _refuse("the interview has started: it can no longer be moved")
            return
        if held is not None:
            _refuse("this interview is already booked")
        if claim.interview_id not in self.waiting:
            _refuse("this interview is not waiting for a slot")

    async def _learn(self, claim: SlotClaim) -> None:
        """Read an unknown slot's row; ask an interview the pool has not heard from whether it
        waits for a slot (it may have been requested a moment ago)."""
        if claim.slot_id not in self.slots:
            await self._read_slot(claim.slot_id)
        unknown = claim.interview_id not in self.waiting and claim.interview_id not in self.holders
        if claim.by_interview or not unknown:
            return
        verdict: ClaimVerdict = await _attended(
            SlotPoolActivities.interview_claimable, claim.interview_id
        )
        if not verdict.claimable:
            _refuse(verdict.reason)
        if claim.interview_id not in self.holders:
            self.waiting[claim.interview_id] = claim.contractor_id or _contractor_of(
                claim.interview_id
            )

    async def _read_slot(self, slot_id: str) -> None:
        rows: list[PoolSlot] = await _attended(
            SlotPoolActivities.round_slots,
            RoundSlotsQuery(
                job_post_id=self.start.job_post_id, round=self.start.round, slot_id=slot_id
            ),
        )
        for row in rows:
            if row.id not in self.slots:
                self._learn_slot(row)

    def _book(self, claim: SlotClaim) -> Booking:
        slot = self.slots[claim.slot_id]
        if self.holders.get(claim.interview_id) == slot.id:
            return Booking(slot_id=slot.id, start=slot.start, end=slot.end)
        held = self.holders.get(claim.interview_id)
        if held is not None:  # a move (or a booking whose answer was lost): the old one goes
            self._free(self.slots[held], reopen=True)
        now = workflow.now()
        slot.status = BOOKED
        slot.interview_id = claim.interview_id
        slot.booked_at = now
        self.holders[claim.interview_id] = slot.id
        self.waiting.pop(claim.interview_id, None)
        self._changed(slot)
        if not claim.by_interview:
            self.untold[claim.interview_id] = SlotBooked(
                interview_id=claim.interview_id,
                slot_id=slot.id,
                start=slot.start,
                end=slot.end,
                booked_at=now,
            )
        # A claim takes one open slot and one waiting contractor: the shortage stays as it was,
        # so the main loop need not look again (a timer less per claim), unless none waits now.
        if not self.waiting:
            self.dirty = True
        return Booking(slot_id=slot.id, start=slot.start, end=slot.end)

    def _free(self, slot: PoolSlot, reopen: bool) -> None:
        if slot.interview_id is not None:
            self.holders.pop(slot.interview_id, None)
            told = self.untold.get(slot.interview_id)
            if told is not None and told.slot_id == slot.id:
                del self.untold[slot.interview_id]
        slot.status = OPEN if reopen and not self.closed else WITHDRAWN
        slot.interview_id = None
        slot.booked_at = None
        self._changed(slot)
        self.dirty = True

    def _check_withdrawal(self, withdrawal: WithdrawSlot) -> None:
        slot = self.slots.get(withdrawal.slot_id)
        if slot is None:
            _refuse("no such slot for this job post")
            return
        if slot.status != OPEN:
            _refuse(f"only an open slot can be withdrawn; this one is {slot.status}")

    def _learn_slot(self, slot: PoolSlot) -> None:
        self.slots[slot.id] = slot
        if slot.status == BOOKED and slot.interview_id is not None:
            self.holders[slot.interview_id] = slot.id

    def _slots_added(self, added: SlotsAdded) -> None:
        if added.batch_id in self.state.batches_seen:
            return
        self.state.batches_seen = [*self.state.batches_seen, added.batch_id][-BATCHES_REMEMBERED:]
        self.announcements.append(added)
        self.streak = self.streak.answered()
        self.dirty = True

    # --- the projection ------------------------------------------------------------------------

    def _changed(self, slot: PoolSlot) -> None:
        self.unprojected[slot.id] = None
        self.changes += 1

    async def _written(self) -> None:
        """Wait until the rows show every change made so far (the API lists from them)."""
        target = self.changes
        await workflow.wait_condition(lambda: self.projected >= target)

    async def _project(self) -> None:
        """Write the changed rows and tell the interviews their bookings, one batch at a time:
        whatever changed while a batch was written goes in the next."""
        while True:
            await workflow.wait_condition(lambda: bool(self.unprojected or self.untold))
            if self.untold and workflow.patched(GATHER_PATCH):
                await self._gather()
            self.projecting = True
            upto = self.changes
            rows = [self.slots[i].model_copy() for i in self.unprojected]
            tell = list(self.untold.values())
            self.unprojected = {}
            self.untold = {}
            try:
                result: ProjectionResult = await run_activity(
                    SlotPoolActivities.project_slots,
                    SlotProjection(
                        job_post_id=self.start.job_post_id,
                        round=self.start.round,
                        rows=rows,
                        tell=tell,
                    ),
                    ROWS,
                )
            except ActivityError:  # a programming error (logged): keep the batch, try later
                for row in rows:
                    self.unprojected.setdefault(row.id, None)
                for told in tell:
                    self.untold.setdefault(told.interview_id, told)
                self.projecting = False
                await workflow.sleep(RETRY_FAILED_BATCH)
                continue
            for told in tell:
                slot = self.slots[told.slot_id]
                if told.interview_id in result.ended and slot.interview_id == told.interview_id:
                    self._free(slot, reopen=True)  # its interview ended meanwhile
            self.projected = max(self.projected, upto)
            self.projecting = False
            if not self.waiting:
                self.dirty = True  # the run may be over

    async def _gather(self) -> None:
        """Until no change has come for GATHER_QUIET (the burst is over), or for at most
        GATHER_WINDOWS such windows."""
        for _ in range(GATHER_WINDOWS):
            seen = self.changes
            await workflow.sleep(GATHER_QUIET, summary="gather the claims of a burst")
            if self.changes == seen:
                return

    # --- reprompting ---------------------------------------------------------------------------

    def _bookable(self) -> list[PoolSlot]:
        now = workflow.now()
        return [s for s in self.slots.values() if s.status == OPEN and is_bookable(s.start, now)]

    def _open_count(self) -> int:
        return len(self._bookable())

    async def _announce_new_slots(self) -> None:
        while self.announcements:
            added = self.announcements.pop(0)
            recipients = list(dict.fromkeys(self.waiting.values()))
            if recipients:
                await self._tell(
                    f"slots-added-{added.batch_id}",
                    "interview_slots_added",
                    recipients,
                    {"count": added.count, "first_start": added.first_start},
                )

    async def _apply_reprompt_rule(self) -> Any:
        """Prompt or alert as the rule says; answers when to look again (None: on a change)."""
        if self.closed:
            return None
        now = workflow.now()
        bookable = self._bookable()
        count = len(bookable)
        self.state.open_slots = count
        waiting = len(self.waiting)
        step = pool_step(count, waiting, self.streak, now)
        self.streak = step.streak
        context: dict[str, object] = {"waiting": waiting, "open_slots": count}
        if step.action == PoolAction.PROMPT_CLIENT:
            await self._tell(
                f"prompt-{self.streak.total}", "slots_needed", [self.start.owner_id], context
            )
        elif step.action == PoolAction.ALERT_OPS:
            ops: OpsUsers = await workflow.execute_activity_method(
                SlotPoolActivities.ops_user_ids,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=RETRY,
                summary="list the ops users to alert",
            )
            if ops.user_ids:
                await self._tell(
                    f"ops-alert-{self.streak.total}",
                    "slot_shortage_ops_alert",
                    ops.user_ids,
                    {**context, "prompts": self.streak.unanswered},
                )
        if self.streak.ops_alerted and is_shortage(count, waiting):
            await self._tell_delay()
        elif not self.streak.ops_alerted:
            self.state.delayed_told = []
        wakes = [step.check_again_at]
        if waiting and bookable:
            wakes.append(expires_at(min(s.start for s in bookable)) + EXPIRY_MARGIN)
        if not waiting and self.streak.last_prompt_at is not None:
            wakes.append(self.streak.last_prompt_at + PROMPT_COOLDOWN)
        upcoming = [w for w in wakes if w is not None]
        return min(upcoming) if upcoming else None

    async def _tell_delay(self) -> None:
        """Every waiting contractor hears once per alert that scheduling is delayed."""
        told = set(self.state.delayed_told)
        fresh = [c for c in dict.fromkeys(self.waiting.values()) if c and c not in told]
        if not fresh:
            return
        await self._tell(
            f"delayed-{self.streak.total}", "scheduling_delayed", fresh, {"round": self.start.round}
        )
        self.state.delayed_told = [*self.state.delayed_told, *fresh]

    def _idle(self) -> bool:
        last = self.streak.last_prompt_at
        cooling = last is not None and workflow.now() < last + PROMPT_COOLDOWN
        busy = self.unprojected or self.untold or self.projecting
        return not (self.waiting or self.announcements or self.dirty or cooling or busy)

    def _carry(self) -> SlotPoolState:
        state = self.state.model_copy()
        state.waiting = [
            PoolMember(interview_id=i, contractor_id=c) for i, c in self.waiting.items()
        ]
        state.prompts_unanswered = self.streak.unanswered
        state.prompts_total = self.streak.total
        state.last_prompt_at = self.streak.last_prompt_at
        state.ops_alerted = self.streak.ops_alerted
        state.slots = list(self.slots.values()) if self.loaded else None
        state.unprojected = list(self.unprojected)
        state.untold = list(self.untold.values())
        state.closed = self.closed
        return state

    def _details(self) -> None:
        short_since = self._slots_short_since()
        sa.keep_current([sa.moment(sa.SLOTS_SHORT_SINCE, short_since)])
        alerted = f"; slots short, ops alerted {at_utc(short_since)}" if short_since else ""
        workflow.set_current_details(
            f"Round {self.start.round}: {len(self.waiting)} waiting, "
            f"{self.state.open_slots} open slots, {len(self.holders)} booked, "
            f"{self.streak.unanswered} unanswered prompts{alerted}; {self._waiting_for()}"
        )

    def _waiting_for(self) -> str:
        if not self.waiting:
            return "nobody waits: the pool ends once the last prompt's 24 h have passed"
        if is_shortage(self.state.open_slots, len(self.waiting)):
            return "waiting for the client to add slots"
        return "waiting for the contractors to book"

    def _slots_short_since(self) -> datetime | None:
        """Since when the round's slots are short with ops alerted (until slots are added)."""
        if not self.streak.ops_alerted:
            return None
        since = workflow.info().typed_search_attributes.get(sa.SLOTS_SHORT_SINCE)
        return since or workflow.now()

    async def _tell(
        self, event: str, template: str, recipients: list[str], extra: dict[str, object]
    ) -> None:
        pool_id = slot_pool_workflow_id(self.start.job_post_id, self.start.round)
        await notify(
            event_key=f"{pool_id}:{event}",
            template=template,
            recipient_ids=recipients,
            context={"job_post_id": self.start.job_post_id, "round": self.start.round, **extra},
            link=f"/job-posts/{self.start.job_post_id}/rounds/{self.start.round}/slots",
        )


def _contractor_of(interview_id: str) -> str:
    parsed = parse_interview_workflow_id(interview_id)
    return parsed[1] if parsed else ""


async def _attended(activity: Any, arg: Any) -> Any:
    """A read a claim waits on; if it keeps failing, the claim answers 503 (try again)."""
    try:
        return await run_activity(activity, arg, ATTENDED)
    except ActivityError:
        raise ApplicationError(
            "the claim could not be decided right now; please try again",
            type=UNAVAILABLE,
            non_retryable=True,
        ) from None


def _refuse(reason: str) -> None:
    """An expected refusal (409 with the reason): benign, so never logged as a failure."""
    raise ApplicationError(
        reason, type=CONFLICT, non_retryable=True, category=ApplicationErrorCategory.BENIGN
    )
