"""CandidacyWorkflow: one contractor on one job post, from application to offer.

The story: an application waits for review (reminders at 5 and 7 business days), then each round
of the interview plan runs as a child InterviewWorkflow once the client requests it, and after each
round the client decides to advance, reject or hold. Rejection, withdrawal and closing the job post
end the candidacy at any stage: the current interview is cancelled (its calendar cancellation
rides on the ending's notice, so each person hears of it once) and an open offer is withdrawn.
When the client cancels a round's interview request, the round waits for a new request.
"""

import asyncio
from datetime import date, datetime

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import (
        CandidacyActivities,
        CandidacyEnded,
        CandidacyProjection,
        CandidacyStart,
        CandidacyState,
        Decision,
        DecisionKind,
        EndingNotice,
        InterviewClosed,
        InterviewRef,
        InterviewRequest,
        InterviewResult,
        InterviewStart,
        InterviewStatus,
        RejectRequest,
        SavedScorecard,
        SaveScorecard,
        ScorecardActivities,
        ScorecardSubmission,
        ShortlistRequest,
        StageChange,
        WithdrawRequest,
    )
    from contracts.offer import (
        OfferEndingActivities,
        OfferOutcome,
        OfferOutcomeKind,
        WithdrawOpenOffer,
    )
    from domain.business_days import add_business_days
    from domain.feedback import rejection_feedback
    from domain.ids import interview_workflow_id
    from domain.offers import offer_workflow_id
    from domain.stages import Stage, is_terminal
    from workflows import search_attributes as sa
    from workflows import summaries
    from workflows.common import (
        at_utc,
        project,
        queue_notice,
        run_activity,
        send_notice,
        tell,
        wait_until,
    )
    from workflows.decision import (
        QUEUED_NOTICES_PATCH,
        RoundReview,
        Scorecards,
        remind_missing_scorecards,
        run_decision_clock,
    )
    from workflows.interview import InterviewWorkflow
    from workflows.outbox import Outbox
    from workflows.patches import patched_since
    from workflows.policies import ATTENDED
    from workflows.refusals import conflict

REVIEW_REMINDER_BUSINESS_DAYS = 5
REVIEW_STATUS_UPDATE_BUSINESS_DAYS = 7
# The candidacy stays at "offer" until the offer tells how it ended.
OFFER_OUTCOME_PATCH = "wait-for-offer-outcome"
# Deprecated: gated the next four behaviours at once; kept for the histories recorded with it.
ENDINGS_PATCH = "endings-cancel-interview-and-offer"
# A round whose request was cancelled can be requested again: its interview's id is reused.
ROUND_REQUESTED_AGAIN_PATCH = "candidacy-round-requested-again-reuses-the-interview-id"
# An ending tells the running interview why (and its notices) before cancelling it.
INTERVIEW_TOLD_OF_THE_ENDING_PATCH = "candidacy-ending-told-to-the-interview"
# An ending at the offer stage withdraws the open offer.
OPEN_OFFER_WITHDRAWN_PATCH = "candidacy-ending-withdraws-the-open-offer"
# An ending's notices wait until the cancelled interview has wound down.
ENDING_NOTICES_AFTER_THE_INTERVIEW_PATCH = "candidacy-ending-notices-after-the-interview"
# Handlers answer from the workflow's state: the notices of a shortlisting and of an ending go
# into the outbox, sent after the answer (an ending's once its interview has wound down).
SHORTLIST_NOTICE_PATCH = "candidacy-shortlist-notice-queued"
ENDING_NOTICES_PATCH = "candidacy-ending-notices-queued"


@workflow.defn
class CandidacyWorkflow:
    @workflow.init
    def __init__(self, start: CandidacyStart) -> None:
        self.start = start
        first = Stage.APPLIED if start.source == "applied" else Stage.SHORTLISTED
        self.state = CandidacyState(
            candidacy_id=start.candidacy_id,
            job_post_id=start.job_post_id,
            company_id=start.company_id,
            contractor_id=start.contractor_id,
            source=start.source,
            stage=first,
            rounds_total=len(start.rounds),
        )
        self.interview_request: InterviewRequest | None = None
        self.interview: workflow.ChildWorkflowHandle[InterviewWorkflow, InterviewResult] | None = (
            None
        )
        self.decision: Decision | None = None
        self.scorecards = Scorecards()
        self.projection_version = 0
        self.lock = asyncio.Lock()
        self.offer_result: OfferOutcome | None = None
        self.ending_reason: str | None = None  # the contractor's, when withdrawn
        self.attempts: dict[int, int] = {}  # interview requests made per round
        self.next_sequence: dict[int, int] = {}  # where a round's next invite SEQUENCE starts
        self.outbox = Outbox()
        self.decision_due: datetime | None = None  # while a round's decision is pending

    @workflow.run
    async def run(self, start: CandidacyStart) -> CandidacyState:
        self.outbox.start()
        await self._enter(self.state.stage)
        if self.state.stage == Stage.APPLIED:
            await self._tell_owner("application_received")
            await self._review_application()

        for number in range(1, len(start.rounds) + 1):
            if self.ended:
                break
            await workflow.wait_condition(lambda: self.ended or self.interview_request is not None)
            if self.ended:
                break
            result = await self._interview_round(number)
            while result is not None and result.status == InterviewStatus.CANCELLED:
                # The client cancelled the round's request: wait for it to be made again.
                await workflow.wait_condition(
                    lambda: self.ended or self.interview_request is not None
                )
                result = None if self.ended else await self._interview_round(number)
            if self.ended or result is None:
                break
            await self._await_decision(number, result)
            if self.ended:
                break
            # A reject decision ends the candidacy in its handler; here only advance remains.
            if number < len(start.rounds):
                await self._enter(Stage.INTERVIEWING, round_=number + 1)

        if not self.ended:
            await self._enter(Stage.OFFER)
            if workflow.patched(OFFER_OUTCOME_PATCH):
                await self._await_offer_outcome()
        await self.outbox.flushed_after_handlers()
        return self.state

    # --- the steps of the story -------------------------------------------------------------

    async def _review_application(self) -> None:
        """Remind the reviewer at 5 business days, update the contractor at 7."""
        applied_at = workflow.now()
        holidays = [date.fromisoformat(d) for d in self.start.holidays]

        def reviewed() -> bool:
            return self.state.stage != Stage.APPLIED

        remind_at = add_business_days(
            applied_at, REVIEW_REMINDER_BUSINESS_DAYS, self.start.client_tz, holidays
        )
        update_at = add_business_days(
            applied_at, REVIEW_STATUS_UPDATE_BUSINESS_DAYS, self.start.client_tz, holidays
        )
        self.state.next_update_by = update_at
        if await wait_until(remind_at, reviewed, "application review reminder to the client"):
            return
        await self._tell_owner("application_review_reminder", {"applied_at": applied_at})
        if await wait_until(update_at, reviewed, "application status update to the contractor"):
            return
        await self._tell_contractor("application_status_update", {"applied_at": applied_at})
        self.state.next_update_by = None
        await workflow.wait_condition(reviewed)

    async def _interview_round(self, number: int) -> InterviewResult | None:
        request = self.interview_request
        assert request is not None
        interview_id = interview_workflow_id(
            self.start.job_post_id, self.start.contractor_id, number
        )
        attempt = self.attempts.get(number, 0) + 1
        self.attempts[number] = attempt
        # A round requested again after its request was cancelled reuses the interview's id.
        reuse = (
            WorkflowIDReusePolicy.ALLOW_DUPLICATE
            if patched_since(ROUND_REQUESTED_AGAIN_PATCH, ENDINGS_PATCH)
            else WorkflowIDReusePolicy.REJECT_DUPLICATE
        )
        self.interview = await workflow.start_child_workflow(
            InterviewWorkflow.run,
            InterviewStart(
                interview_id=interview_id,
                candidacy_id=self.start.candidacy_id,
                job_post_id=self.start.job_post_id,
                company_id=self.start.company_id,
                owner_id=self.start.owner_id,
                contractor_id=self.start.contractor_id,
                round=number,
                round_spec=self.start.rounds[number - 1],
                message=request.message,
                client_tz=self.start.client_tz,
                holidays=self.start.holidays,
                panel=request.panel or [request.by],
                attempt=attempt,
                first_sequence=self.next_sequence.get(number, 0),
            ),
            id=interview_id,
            parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
            id_reuse_policy=reuse,
            # (its status is the interview's own to keep, from its first step)
            search_attributes=sa.for_interview(
                self.start.job_post_id, self.start.company_id, self.start.contractor_id
            ),
            static_summary=summaries.interview_summary(self.start.candidacy_id, number),
            static_details=summaries.interview_details(self.start.rounds[number - 1], attempt),
        )
        self.state.interviews.append(
            InterviewRef(
                interview_id=interview_id,
                round=number,
                status=InterviewStatus.AWAITING_SLOT.value,
                panel=request.panel or [request.by],
            )
        )
        await self._enter(Stage.INTERVIEWING, round_=number)
        interview = self.interview
        done = asyncio.ensure_future(interview)
        await workflow.wait_condition(lambda: self.ended or done.done())
        self.interview_request = None
        if not done.done():
            if patched_since(INTERVIEW_TOLD_OF_THE_ENDING_PATCH, ENDINGS_PATCH):
                await self._tell_interview_why(interview)
            done.cancel()  # cancels the child interview, which frees its slot
            try:
                await done
            except (asyncio.CancelledError, ChildWorkflowError):
                pass
            self.interview = None
            return None
        self.interview = None
        result = done.result()
        self.next_sequence[number] = result.sequence + 1
        ref = self.state.interviews[-1]
        ref.status = result.status.value
        ref.outcome = result.outcome.outcome.value if result.outcome else None
        if result.booking is not None:
            ref.start, ref.end = result.booking.start, result.booking.end
        return result

    async def _await_decision(self, number: int, result: InterviewResult) -> None:
        """Decision pending until the client advances or rejects (a hold is shown, and stops no
        clock): meanwhile the decision clock and, after a completed interview, the scorecard
        reminders run; both stop the moment the decision lands or the candidacy ends."""
        self.decision = None
        review = RoundReview.of(self.start, number, result, workflow.now())
        self.state.next_update_by = review.news_by  # shown together with the stage
        self.decision_due = review.news_by
        await self._enter(Stage.DECISION_PENDING, round_=number)

        def settled() -> bool:
            return self.ended or self.decision is not None

        followups = [
            asyncio.ensure_future(run_decision_clock(review, self.state, settled, self.outbox))
        ]
        if result.status == InterviewStatus.COMPLETED:
            panel = self.state.interviews[-1].panel
            followups.append(
                asyncio.ensure_future(
                    remind_missing_scorecards(review, panel, self.scorecards, settled, self.outbox)
                )
            )
        await workflow.wait_condition(settled)
        self.decision_due = None
        self._keep_search_attributes_current()
        self._details()
        await asyncio.gather(*followups)

    # --- what clients, contractors and ops can do -------------------------------------------

    @workflow.update(description="The client shortlists an application; the contractor is told.")
    async def shortlist(self, request: ShortlistRequest) -> CandidacyState:
        await self._enter(Stage.SHORTLISTED)
        if workflow.patched(SHORTLIST_NOTICE_PATCH):
            queue_notice(self.outbox, self._notice([self.start.contractor_id], "shortlisted", {}))
        else:
            await self._tell_contractor("shortlisted")
        return self.state

    @shortlist.validator
    def _check_shortlist(self, request: ShortlistRequest) -> None:
        if self.state.stage != Stage.APPLIED:
            conflict(f"only an application can be shortlisted; this candidacy is {self.stage}")

    @workflow.update(description="The client rejects the candidacy at any stage, with feedback.")
    async def reject(self, request: RejectRequest) -> CandidacyState:
        await self._reject(request.feedback)
        return self.state

    @reject.validator
    def _check_reject(self, request: RejectRequest) -> None:
        self._check_open("reject")

    @workflow.update(description="The contractor withdraws, with a reason; the client is told.")
    async def withdraw(self, request: WithdrawRequest) -> CandidacyState:
        self.ending_reason = request.reason
        await self._enter(Stage.WITHDRAWN, note=request.reason)
        await self._announce_end()
        return self.state

    @withdraw.validator
    def _check_withdraw(self, request: WithdrawRequest) -> None:
        self._check_open("withdraw")

    @workflow.update(description="The job post was closed: the candidacy ends as closed.")
    async def close(self) -> CandidacyState:
        """The job post was closed."""
        await self._enter(Stage.CLOSED)
        await self._announce_end()
        return self.state

    @close.validator
    def _check_close(self) -> None:
        self._check_open("close")

    @workflow.update(description="The client requests the next round's interview; answers its id.")
    async def request_interview(self, request: InterviewRequest) -> str:
        """The client asks for the next round's interview; answers the interview's id."""
        self.interview_request = request
        await workflow.wait_condition(lambda: self.interview is not None or self.ended)
        if self.ended:
            conflict(f"this candidacy is {self.stage}")
        return self.state.interviews[-1].interview_id

    @request_interview.validator
    def _check_request_interview(self, request: InterviewRequest) -> None:
        self._check_open("request an interview for")
        if self.interview is not None or self.interview_request is not None:
            conflict("an interview for this round is already requested")
        waiting = self.state.stage == Stage.SHORTLISTED or (
            self.state.stage == Stage.INTERVIEWING and self.interview is None
        )
        if not waiting:
            conflict(
                f"no round is waiting for an interview request; this candidacy is {self.stage}"
            )

    @workflow.update(description="Answers once this candidacy no longer runs that interview.")
    async def interview_closed(self, closed: InterviewClosed) -> CandidacyState:
        """Answers once this candidacy no longer runs that interview (its request was cancelled:
        the round then takes a new request)."""

        def gone() -> bool:
            current = self.interview
            return self.ended or current is None or current.id != closed.interview_id

        await workflow.wait_condition(gone)
        return self.state

    @workflow.update(description="Answers once no decided round waits to be taken in.")
    async def decision_taken(self) -> CandidacyState:
        """Answers once no decided round waits to be taken in: after an advance, the next
        round's interview can be requested, or the offer sent."""

        def taken() -> bool:
            return self.ended or self.decision is None or self.state.stage != Stage.DECISION_PENDING

        await workflow.wait_condition(taken)
        return self.state

    @workflow.update(description="Answers once the offer's signalled outcome has moved the stage.")
    async def offer_outcome_taken(self) -> CandidacyState:
        """Answers once an outcome the offer signalled (hired, declined, expired) shows in the
        stage: the offer's accept answers after its signal, so the hire can be read at once."""
        await workflow.wait_condition(lambda: self.ended or self.offer_result is None)
        return self.state

    @workflow.update(description="The client's decision on the round: advance, reject or hold.")
    async def decide(self, decision: Decision) -> CandidacyState:
        async with self.lock:
            if self._assessment_overdue():
                return await self._decide_on_overdue_assessment(decision)
            if decision.decision == DecisionKind.HOLD:
                self.state.on_hold = True
                self._details()
                return self.state
            self.state.on_hold = False
            self.decision = decision
            if decision.decision == DecisionKind.REJECT:
                await self._reject(decision.feedback)
            return self.state

    @decide.validator
    def _check_decide(self, decision: Decision) -> None:
        self._check_open("decide on")
        if self._assessment_overdue():
            if decision.decision == DecisionKind.HOLD:
                conflict("the take-home is overdue: advance anyway, reject, or extend it")
            return
        if self.state.stage != Stage.DECISION_PENDING:
            conflict(f"no decision is due; this candidacy is {self.stage}")
        if self.decision is not None:
            conflict(f"round {self.state.round} was already decided: {self.decision.decision}")

    @workflow.update(
        description="A panel member's scorecard for one of this candidacy's interviews."
    )
    async def submit_scorecard(self, submission: ScorecardSubmission) -> SavedScorecard:
        """A panel member's scorecard for one of this candidacy's interviews; a second one from
        the same member replaces the first."""
        ref = self._interview_ref(submission.interview_id)
        assert ref is not None
        async with self.lock:
            saved: SavedScorecard = await run_activity(
                ScorecardActivities.save_scorecard,
                SaveScorecard(
                    candidacy_id=self.start.candidacy_id,
                    job_post_id=self.start.job_post_id,
                    company_id=self.start.company_id,
                    contractor_id=self.start.contractor_id,
                    round=ref.round,
                    submission=submission,
                    at=workflow.now(),
                ),
                ATTENDED,
            )
            replaced = self.scorecards.has(ref.interview_id, submission.panel_member_id)
            self.scorecards.record(ref.interview_id, submission.panel_member_id)
        return saved.model_copy(update={"replaced": replaced})

    @submit_scorecard.validator
    def _check_scorecard(self, submission: ScorecardSubmission) -> None:
        ref = self._interview_ref(submission.interview_id)
        if ref is None:
            conflict("no such interview in this candidacy")
        elif submission.panel_member_id not in ref.panel:
            conflict("only the interview's panel members send scorecards")

    # --- the offer: OfferWorkflow signals how it ended ----------------------------------------

    @workflow.signal(description="The offer tells how it ended: hired, declined or expired.")
    def offer_outcome(self, outcome: OfferOutcome) -> None:
        self.offer_result = outcome

    async def _await_offer_outcome(self) -> None:
        """Stay at "offer" until the offer is accepted, declined or expires (a withdrawn offer
        leaves the candidacy at "offer" for a new one)."""
        await workflow.wait_condition(lambda: self.ended or self.offer_result is not None)
        outcome = self.offer_result
        if self.ended or outcome is None:
            if (
                self.ended
                and outcome is None
                and patched_since(OPEN_OFFER_WITHDRAWN_PATCH, ENDINGS_PATCH)
            ):
                await run_activity(
                    OfferEndingActivities.withdraw_open_offer,
                    WithdrawOpenOffer(
                        offer_id=offer_workflow_id(
                            self.start.job_post_id, self.start.contractor_id
                        ),
                        reason=f"the candidacy was {self.stage}",
                    ),
                )
            return
        stage = {
            OfferOutcomeKind.HIRED: Stage.HIRED,
            OfferOutcomeKind.DECLINED: Stage.OFFER_DECLINED,
            OfferOutcomeKind.EXPIRED: Stage.OFFER_EXPIRED,
        }[outcome.outcome]
        await self._enter(stage, note=outcome.reason or outcome.engagement_id or outcome.offer_id)

    # --- the current interview tells its progress; an overdue take-home awaits a decision ---

    @workflow.signal(description="The current interview tells its status and booking.")
    def interview_changed(self, ref: InterviewRef) -> None:
        current = self._interview_ref(ref.interview_id)
        if current is not None and self.interview is not None:
            current.status, current.start, current.end = ref.status, ref.start, ref.end
            self._details()

    def _assessment_overdue(self) -> bool:
        current = self.state.interviews[-1] if self.state.interviews else None
        return (
            self.state.stage == Stage.INTERVIEWING
            and self.interview is not None
            and current is not None
            and current.status == InterviewStatus.ASSESSMENT_OVERDUE.value
        )

    async def _decide_on_overdue_assessment(self, decision: Decision) -> CandidacyState:
        """Advance anyway (the interview becomes bookable without the take-home) or reject."""
        if decision.decision == DecisionKind.REJECT:
            await self._reject(decision.feedback)
        elif self.interview is not None:
            await self.interview.signal(InterviewWorkflow.waive_assessment)
        return self.state

    @workflow.query(description="The candidacy's stage, round, interviews and stage history.")
    def status(self) -> CandidacyState:
        return self.state

    # --- bookkeeping ------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return is_terminal(self.state.stage)

    @property
    def stage(self) -> str:
        return self.state.stage.value

    def _interview_ref(self, interview_id: str) -> InterviewRef | None:
        """The latest one: a round requested again reuses its interview's id."""
        refs = reversed(self.state.interviews)
        return next((r for r in refs if r.interview_id == interview_id), None)

    def _check_open(self, action: str) -> None:
        if self.ended:
            conflict(f"cannot {action} a candidacy that is {self.stage}")

    async def _reject(self, feedback: str | None) -> None:
        self.state.feedback = rejection_feedback(feedback)
        await self._enter(Stage.REJECTED)
        await self._announce_end()

    def _ending_notices(self) -> list[EndingNotice]:
        """Who hears of the candidacy's end, and how: one notice per recipient."""
        stage = self.state.stage
        if stage == Stage.WITHDRAWN:
            return [
                self._notice(
                    [self.start.owner_id], "candidacy_withdrawn", {"reason": self.ending_reason}
                )
            ]
        if stage == Stage.CLOSED:
            return [self._notice([self.start.contractor_id], "job_post_closed", {})]
        if stage == Stage.REJECTED:
            return [
                self._notice(
                    [self.start.contractor_id],
                    "candidacy_rejected",
                    {"feedback": self.state.feedback},
                )
            ]
        return []

    async def _announce_end(self) -> None:
        """Tell those the ending concerns, after the handler's answer (through the outbox)."""
        if workflow.patched(ENDING_NOTICES_PATCH):
            self.outbox.put(f"{self.start.candidacy_id}:ending", self._send_ending_notices)
        else:
            await self._send_ending_notices()

    async def _send_ending_notices(self) -> None:
        """Once the interview has wound down: when it held a booking, its calendar cancellation
        went out as these same notices (same event keys), so nobody hears of the ending twice."""
        if patched_since(ENDING_NOTICES_AFTER_THE_INTERVIEW_PATCH, ENDINGS_PATCH):
            await workflow.wait_condition(lambda: self.interview is None)
        for notice in self._ending_notices():
            await send_notice(notice)

    async def _tell_interview_why(
        self, interview: "workflow.ChildWorkflowHandle[InterviewWorkflow, InterviewResult]"
    ) -> None:
        ended = CandidacyEnded(stage=self.stage, notices=self._ending_notices())
        try:
            await interview.signal(InterviewWorkflow.candidacy_ended, ended)
        except Exception:  # noqa: BLE001 - it ended meanwhile: nothing of it left to cancel
            workflow.logger.info("interview %s no longer takes signals", interview.id)

    async def _enter(
        self, stage: Stage, round_: int | None = None, note: str | None = None
    ) -> None:
        """Move to a stage: history, search attributes, UI summary and the list projection."""
        if round_ is not None:
            self.state.round = round_
        if stage != self.state.stage or not self.state.history:
            self.state.history.append(StageChange(stage=stage, at=workflow.now(), note=note))
        self.state.stage = stage
        # (In decision pending the decision clock keeps it: see _await_decision.)
        if is_terminal(stage) or stage == Stage.OFFER:
            self.state.next_update_by = None
        workflow.upsert_search_attributes([sa.HIRING_STAGE.value_set(stage.value)])
        self._keep_search_attributes_current()
        self._details()
        self.projection_version += 1
        await project(
            CandidacyActivities.project_candidacy,
            CandidacyProjection(
                candidacy_id=self.start.candidacy_id,
                job_post_id=self.start.job_post_id,
                company_id=self.start.company_id,
                contractor_id=self.start.contractor_id,
                source=self.start.source,
                stage=stage.value,
                round=self.state.round,
                rounds_total=self.state.rounds_total,
                version=self.projection_version,
                at=workflow.now(),
            ),
            self.outbox,
        )

    def _keep_search_attributes_current(self) -> None:
        pending = self.state.stage == Stage.DECISION_PENDING and self.decision is None
        sa.keep_current([sa.moment(sa.DUE_AT, self.decision_due if pending else None)])

    def _details(self) -> None:
        """What the run waits for, and until when, in the UI."""
        workflow.set_current_details(self._waiting_for())

    def _waiting_for(self) -> str:
        state, number = self.state, self.state.round or 1
        of_rounds = f"round {number} of {state.rounds_total}"
        current = state.interviews[-1] if state.interviews else None
        if self.ended:
            return f"Ended: {self.stage}"
        if state.stage == Stage.APPLIED:
            by = state.next_update_by
            hears = f"; the contractor hears by {at_utc(by)}" if by else ""
            return f"Waiting for the client to review the application{hears}"
        if state.stage == Stage.DECISION_PENDING:
            due = f", due {at_utc(self.decision_due)}" if self.decision_due else ""
            hold = " (on hold)" if state.on_hold else ""
            return f"Waiting for the client's decision on round {number}{due}{hold}"
        if state.stage == Stage.OFFER:
            return "Waiting for the contractor's answer to the offer"
        if self.interview is not None and current is not None:
            when = f", booked for {at_utc(current.start)}" if current.start else ""
            # (Of a booking made or moved, only the interview may have heard: it shows it.)
            waiting = current.status == InterviewStatus.AWAITING_SLOT.value
            status = "awaiting a slot or booked" if waiting else current.status
            return (
                f"Waiting for the {of_rounds} interview {current.interview_id} "
                f"({status}{when}) to end"
            )
        return f"Waiting for the client to request the {of_rounds} interview"

    async def _tell_contractor(self, template: str, extra: dict[str, object] | None = None) -> None:
        await self._tell([self.start.contractor_id], template, extra)

    async def _tell_owner(self, template: str, extra: dict[str, object] | None = None) -> None:
        await self._tell([self.start.owner_id], template, extra)

    async def _tell(
        self, recipients: list[str], template: str, extra: dict[str, object] | None
    ) -> None:
        await tell(
            self.outbox, QUEUED_NOTICES_PATCH, self._notice(recipients, template, extra or {})
        )

    def _notice(
        self, recipients: list[str], template: str, extra: dict[str, object]
    ) -> EndingNotice:
        return EndingNotice(
            recipient_ids=recipients,
            template=template,
            event_key=f"{self.start.candidacy_id}:{template}",
            context={
                "candidacy_id": self.start.candidacy_id,
                "job_post_id": self.start.job_post_id,
                "contractor_id": self.start.contractor_id,
                **extra,
            },
            link=f"/candidacies/{self.start.candidacy_id}",
        )
