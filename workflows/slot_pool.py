"""SlotPoolWorkflow: the interview slots of one job post round (`slots-<job>-r<n>`).

The story: interviews tell the pool when their contractor starts waiting for a slot and when they
stop (booked, or the interview ended); the slots route tells it when slots are added or withdrawn.
Whenever something changes (and when the next open slot expires) the pool counts the bookable open
slots and applies the reprompt rule of domain/reprompt.py: prompt the owner at most once per 24 h
while slots are short, alert ops after 3 unanswered prompts. New slots are announced to the
contractors waiting. Claims never go through the pool: they are updates on each contractor's own
interview, decided by the database (see README, "Scheduling: how claims stay atomic").

It ends once nobody waits and the last prompt's 24 h have passed; the next signal-with-start
begins a new run.
"""

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import OpenSlotsQuery, OpenSlotsSummary, OpsUsers
    from activities.slot_pool import (
        CONTRACTOR_LEFT,
        CONTRACTOR_WAITING,
        SLOTS_ADDED,
        SLOTS_WITHDRAWN,
        SlotPoolActivities,
    )
    from domain.ids import slot_pool_workflow_id
    from domain.reprompt import PROMPT_COOLDOWN, PoolAction, PromptStreak, is_shortage, pool_step
    from workflows import search_attributes as sa
    from workflows.common import ACTIVITY_TIMEOUT, RETRY, at_utc, notify, run_activity, wait_until
    from workflows.contracts import PoolMember, SlotPoolStart, SlotPoolState, SlotsAdded

# A slot expires the instant it is closer than the minimum notice; look just after that instant.
EXPIRY_MARGIN = timedelta(seconds=1)
BATCHES_REMEMBERED = 200


@workflow.defn
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
        self.announcements: list[SlotsAdded] = []
        self.dirty = True

    @workflow.run
    async def run(self, start: SlotPoolStart) -> SlotPoolState:
        while True:
            self.dirty = False
            await self._announce_new_slots()
            wake_at = await self._apply_reprompt_rule()
            self._snapshot()
            self._details()
            if self._idle():
                break
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                self._snapshot()
                workflow.continue_as_new(
                    self.start.model_copy(update={"carried": self.state}),
                    search_attributes=workflow.info().typed_search_attributes,
                )
            if wake_at is None:
                await workflow.wait_condition(lambda: self.dirty)
            else:
                await wait_until(wake_at, lambda: self.dirty, "look at the round's slots again")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    # --- signals: each is idempotent, as they may be delivered again -----------------------

    @workflow.signal(
        name=CONTRACTOR_WAITING,
        description="An interview's contractor starts waiting for a slot of the round.",
    )
    def contractor_waiting(self, member: PoolMember) -> None:
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
        name=SLOTS_ADDED,
        description="The client added slots to the round: the waiting contractors are told.",
    )
    def slots_added(self, added: SlotsAdded) -> None:
        if added.batch_id in self.state.batches_seen:
            return
        self.state.batches_seen = [*self.state.batches_seen, added.batch_id][-BATCHES_REMEMBERED:]
        self.announcements.append(added)
        self.streak = self.streak.answered()
        self.dirty = True

    @workflow.signal(
        name=SLOTS_WITHDRAWN,
        description="Slots of the round were withdrawn: the pool counts again.",
    )
    def slots_withdrawn(self, _payload: dict[str, Any]) -> None:
        self.dirty = True

    @workflow.query(description="Who waits, the open slots and the prompt streak of the round.")
    def status(self) -> SlotPoolState:
        self._snapshot()
        return self.state

    # --- the steps --------------------------------------------------------------------------

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
        now = workflow.now()
        summary: OpenSlotsSummary = await run_activity(
            SlotPoolActivities.open_slot_summary,
            OpenSlotsQuery(job_post_id=self.start.job_post_id, round=self.start.round, now=now),
            summary="count the round's bookable open slots",
        )
        self.state.open_slots = summary.count
        waiting = len(self.waiting)
        step = pool_step(summary.count, waiting, self.streak, now)
        self.streak = step.streak
        context = {"waiting": waiting, "open_slots": summary.count}
        if step.action == PoolAction.PROMPT_CLIENT:
            await self._tell(
                f"prompt-{self.streak.total}", "slots_needed", [self.start.owner_id], context
            )
        elif step.action == PoolAction.ALERT_OPS:
            ops: OpsUsers = await workflow.execute_activity(
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
        if self.streak.ops_alerted and is_shortage(summary.count, waiting):
            await self._tell_delay()
        elif not self.streak.ops_alerted:
            self.state.delayed_told = []
        wakes = [step.check_again_at]
        if waiting and summary.next_expiry is not None:
            wakes.append(summary.next_expiry + EXPIRY_MARGIN)
        if not waiting and self.streak.last_prompt_at is not None:
            wakes.append(self.streak.last_prompt_at + PROMPT_COOLDOWN)
        upcoming = [w for w in wakes if w is not None]
        return min(upcoming) if upcoming else None

    async def _tell_delay(self) -> None:
        """Every waiting contractor hears once per alert that scheduling is delayed."""
        told = set(self.state.delayed_told)
        fresh = [c for c in dict.fromkeys(self.waiting.values()) if c not in told]
        if not fresh:
            return
        await self._tell(
            f"delayed-{self.streak.total}", "scheduling_delayed", fresh, {"round": self.start.round}
        )
        self.state.delayed_told = [*self.state.delayed_told, *fresh]

    def _idle(self) -> bool:
        last = self.streak.last_prompt_at
        cooling = last is not None and workflow.now() < last + PROMPT_COOLDOWN
        return not (self.waiting or self.announcements or self.dirty or cooling)

    def _snapshot(self) -> None:
        self.state.waiting = [
            PoolMember(interview_id=i, contractor_id=c) for i, c in self.waiting.items()
        ]
        self.state.prompts_unanswered = self.streak.unanswered
        self.state.prompts_total = self.streak.total
        self.state.last_prompt_at = self.streak.last_prompt_at
        self.state.ops_alerted = self.streak.ops_alerted

    def _details(self) -> None:
        short_since = self._slots_short_since()
        sa.keep_current([sa.moment(sa.SLOTS_SHORT_SINCE, short_since)])
        alerted = f"; slots short, ops alerted {at_utc(short_since)}" if short_since else ""
        workflow.set_current_details(
            f"Round {self.start.round}: {len(self.waiting)} waiting, "
            f"{self.state.open_slots} open slots, {self.streak.unanswered} unanswered prompts"
            f"{alerted}; {self._waiting_for()}"
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
