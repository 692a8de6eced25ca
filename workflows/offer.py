"""OfferWorkflow: the client's offer to one contractor (`offer-<job>-<contractor>`).

The story: the client sends terms; the contractor accepts, declines or counters; the client may
revise (a new version, with a fresh 7-day clock) or withdraw. An unanswered version reminds the
contractor at day 5 and expires at day 7. Acceptance of the latest version is the contract
signature: the exact terms, who, when, sealed with a digest. It starts the EngagementWorkflow and
tells the candidacy it is hired; a decline or expiry tells the candidacy too.
"""

import hashlib
import json
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from contracts.engagement import (
        EngagementActivities,
        EngagementProjection,
        EngagementStart,
        EngagementState,
        TermsChange,
    )
    from contracts.notify import Notice
    from contracts.offer import (
        ANSWERED,
        AcceptRequest,
        CounterProposal,
        CounterRequest,
        DeclineRequest,
        OfferOutcome,
        OfferOutcomeKind,
        OfferProjection,
        OfferStart,
        OfferState,
        OfferStatus,
        OfferVersion,
        ReviseRequest,
        Signature,
        WithdrawOfferRequest,
    )
    from domain.money import format_cents
    from domain.offers import (
        EXPIRES_AFTER,
        REMINDER_AFTER,
        OfferTerms,
        Schedule,
        engagement_workflow_id,
    )
    from domain.proration import billing_date, monthly_seat_fee
    from workflows import search_attributes as sa
    from workflows.candidacy import CandidacyWorkflow
    from workflows.common import at_utc, project, run_activity, tell, wait_until
    from workflows.outbox import Outbox
    from workflows.refusals import conflict

# Notices go into the outbox and are sent after the answer: a counter, a revision or an
# acceptance answers from the offer's state, whatever the mail server does.
NOTICES_PATCH = "offer-notices-queued"


def _version(number: int, terms: OfferTerms, sent_at: datetime, by: str) -> OfferVersion:
    return OfferVersion(
        version=number,
        terms=terms,
        sent_at=sent_at,
        sent_by=by,
        reminder_at=sent_at + REMINDER_AFTER,
        expires_at=sent_at + EXPIRES_AFTER,
    )


def initial_offer_state(start: OfferStart) -> OfferState:
    """The state right after sending (the API answers with it before the workflow runs)."""
    return OfferState(
        offer_id=start.offer_id,
        candidacy_id=start.candidacy_id,
        job_post_id=start.job_post_id,
        company_id=start.company_id,
        contractor_id=start.contractor_id,
        status=OfferStatus.OPEN,
        version=1,
        versions=[_version(1, start.terms, start.sent_at, start.sent_by)],
    )


def signature_digest(offer_id: str, contractor_id: str, version: OfferVersion, at: datetime) -> str:
    record = {
        "offer_id": offer_id,
        "signed_by": contractor_id,
        "signed_at": at.isoformat(),
        "version": version.version,
        "terms": version.terms.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


@workflow.defn
class OfferWorkflow:
    @workflow.init
    def __init__(self, start: OfferStart) -> None:
        self.start = start
        self.state = initial_offer_state(start)
        self.projection_version = 0
        self.settled = False  # everything acceptance or an ending entails is done
        self.tell_withdrawal = True
        self.outbox = Outbox()

    @workflow.run
    async def run(self, start: OfferStart) -> OfferState:
        self.outbox.start()
        await self._project()
        await self._tell_contractor("offer_received", self._terms_context())
        while not self.answered:
            await self._wait_for_answer_or_expiry()
        if self.state.status == OfferStatus.ACCEPTED:
            await self._hire()
        elif self.state.status == OfferStatus.DECLINED:
            await self._tell_candidacy(OfferOutcomeKind.DECLINED, self.state.decline_reason)
            await self._tell_owner("offer_declined", {"reason": self.state.decline_reason})
        elif self.state.status == OfferStatus.EXPIRED:
            await self._tell_candidacy(OfferOutcomeKind.EXPIRED)
            await self._tell(
                [start.contractor_id, start.owner_id], "offer_expired", self._terms_context()
            )
        elif self.state.status == OfferStatus.WITHDRAWN:
            # The candidacy stays at "offer": the client may send a new one, or reject.
            if self.tell_withdrawal:
                await self._tell_contractor(
                    "offer_withdrawn", {"reason": self.state.withdraw_reason}
                )
        self.settled = True
        await self.outbox.flushed_after_handlers()
        return self.state

    async def _wait_for_answer_or_expiry(self) -> None:
        """One version's clock: reminder at day 5, expiry at day 7, unless answered or revised."""
        current = self.state.latest

        def moved() -> bool:
            return self.answered or self.state.version != current.version

        if workflow.now() < current.reminder_at:
            if await wait_until(
                current.reminder_at, moved, f"offer reminder (version {current.version}, day 5)"
            ):
                return
            if self.state.status == OfferStatus.OPEN:
                await self._tell_contractor(
                    "offer_reminder", {**self._terms_context(), "expires_at": current.expires_at}
                )
        if await wait_until(
            current.expires_at, moved, f"offer expiry (version {current.version}, day 7)"
        ):
            return
        self.state.status = OfferStatus.EXPIRED
        self.state.answered_at = current.expires_at
        await self._project()

    async def _hire(self) -> None:
        signature = self.state.signature
        assert signature is not None
        engagement_id = engagement_workflow_id(self.start.job_post_id, self.start.contractor_id)
        terms = signature.terms
        engagement = EngagementStart(
            state=EngagementState(
                engagement_id=engagement_id,
                offer_id=self.start.offer_id,
                candidacy_id=self.start.candidacy_id,
                job_post_id=self.start.job_post_id,
                company_id=self.start.company_id,
                owner_id=self.start.owner_id,
                contractor_id=self.start.contractor_id,
                plan=self.start.plan,
                seat_fee_cents=monthly_seat_fee(self.start.plan),
                currency=terms.currency,
                billing_tz=self.start.billing_tz,
                signed_at=signature.signed_at,
                start_date=terms.start_date,
                terms_schedule=[
                    TermsChange(
                        from_week=1,
                        terms=Schedule.model_validate(
                            terms.model_dump(include=set(Schedule.model_fields))
                        ),
                        requested_at=signature.signed_at,
                    )
                ],
            )
        )
        # The row exists as soon as the contractor has signed; the workflow keeps it current.
        await run_activity(
            EngagementActivities.project_engagement,
            EngagementProjection(state=engagement.state, at=workflow.now()),
        )
        await run_activity(EngagementActivities.start_engagement, engagement)
        self.state.engagement_id = engagement_id
        await self._project()
        await self._tell_candidacy(OfferOutcomeKind.HIRED)
        context = {**self._terms_context(), "engagement_id": engagement_id}
        await self._tell_owner("offer_accepted", context)
        await self._tell_contractor("contract_signed", {**context, "digest": signature.digest})

    # --- what the contractor and the client can do -------------------------------------------

    @workflow.update(
        description="The contractor signs the latest version; answers once the engagement started."
    )
    async def accept(self, request: AcceptRequest) -> OfferState:
        """The contract signature. Answers once the engagement is started."""
        now = workflow.now()
        version = self.state.latest
        self.state.signature = Signature(
            version=version.version,
            terms=version.terms,
            signed_by=request.by,
            signed_at=now,
            digest=signature_digest(self.start.offer_id, request.by, version, now),
        )
        self._answer(OfferStatus.ACCEPTED)
        await workflow.wait_condition(lambda: self.settled)
        return self.state

    @accept.validator
    def _check_accept(self, request: AcceptRequest) -> None:
        self._check_open()
        if request.version != self.state.version:
            conflict(
                f"version {request.version} is no longer current: "
                f"only the latest, version {self.state.version}, can be accepted"
            )
        start_date = self.state.latest.terms.start_date
        if start_date < billing_date(workflow.now(), self.start.billing_tz):
            conflict(
                f"the start date {start_date.isoformat()} has passed: the client needs to revise "
                "the offer"
            )

    @workflow.update(description="The contractor declines the offer, with a reason.")
    async def decline(self, request: DeclineRequest) -> OfferState:
        self.state.decline_reason = request.reason
        self._answer(OfferStatus.DECLINED)
        await self._project()
        return self.state

    @decline.validator
    def _check_decline(self, request: DeclineRequest) -> None:
        self._check_open()

    @workflow.update(
        description="The contractor counters the current version with a rate and hours."
    )
    async def counter(self, request: CounterRequest) -> OfferState:
        self.state.counters.append(
            CounterProposal(
                version=request.version,
                hourly_rate_cents=request.hourly_rate_cents,
                hours_per_week=request.hours_per_week,
                message=request.message,
                at=workflow.now(),
            )
        )
        self.state.status = OfferStatus.COUNTERED
        await self._project()
        await self._tell_owner(
            "offer_countered",
            {
                "version": request.version,
                "hourly_rate": format_cents(
                    request.hourly_rate_cents, self.state.latest.terms.currency
                ),
                "hours_per_week": request.hours_per_week,
                "message": request.message,
            },
        )
        return self.state

    @counter.validator
    def _check_counter(self, request: CounterRequest) -> None:
        self._check_open()
        if request.version != self.state.version:
            conflict(
                f"version {request.version} is no longer current (latest: {self.state.version})"
            )
        if self.state.status == OfferStatus.COUNTERED:
            conflict("this version was already countered: the client may revise the offer")

    @workflow.update(
        description="The client sends a new version of the terms, with a fresh 7-day clock."
    )
    async def revise(self, request: ReviseRequest) -> OfferState:
        number = self.state.version + 1
        self.state.versions.append(_version(number, request.terms, workflow.now(), request.by))
        self.state.version = number
        self.state.status = OfferStatus.OPEN
        await self._project()
        await self._tell_contractor("offer_received", self._terms_context())
        return self.state

    @revise.validator
    def _check_revise(self, request: ReviseRequest) -> None:
        self._check_open()

    @workflow.update(description="The client withdraws the offer (the candidacy stays at offer).")
    async def withdraw(self, request: WithdrawOfferRequest) -> OfferState:
        self.state.withdraw_reason = request.reason
        self.tell_withdrawal = request.tell_contractor
        self._answer(OfferStatus.WITHDRAWN)
        await self._project()
        return self.state

    @withdraw.validator
    def _check_withdraw(self, request: WithdrawOfferRequest) -> None:
        self._check_open()

    @workflow.query(
        description="The offer's versions, counters, status and, once accepted, the signature."
    )
    def status(self) -> OfferState:
        return self.state

    # --- bookkeeping ------------------------------------------------------------------------

    @property
    def answered(self) -> bool:
        return self.state.status in ANSWERED

    def _check_open(self) -> None:
        if self.answered:
            conflict(f"this offer was already answered: it is {self.state.status.value}")

    def _answer(self, status: OfferStatus) -> None:
        self.state.status = status
        self.state.answered_at = workflow.now()

    async def _project(self) -> None:
        self.projection_version += 1
        self._show()
        await project(
            EngagementActivities.project_offer,
            OfferProjection(
                state=self.state, projection_version=self.projection_version, at=workflow.now()
            ),
            self.outbox,
        )

    def _show(self) -> None:
        """The offer's status and expiry in its search attributes, and in words in the UI."""
        state = self.state
        expires_at = None if self.answered else state.latest.expires_at
        sa.keep_current(
            [
                sa.OFFER_STATUS.value_set(state.status.value),
                sa.moment(sa.DUE_AT, expires_at),
            ]
        )
        workflow.set_current_details(self._waiting_for(expires_at))

    def _waiting_for(self, expires_at: datetime | None) -> str:
        state = self.state
        if expires_at is None:
            return f"Offer version {state.version} {state.status.value}: nothing left to wait for"
        if state.status == OfferStatus.COUNTERED:
            return (
                f"Version {state.version} countered: waiting for the client to revise or "
                f"withdraw; it expires {at_utc(expires_at)}"
            )
        return (
            f"Waiting for the contractor's answer to version {state.version}, "
            f"expires {at_utc(expires_at)}"
        )

    async def _tell_candidacy(self, outcome: OfferOutcomeKind, reason: str | None = None) -> None:
        handle = workflow.get_external_workflow_handle_for(
            CandidacyWorkflow.run, self.start.candidacy_id
        )
        try:
            await handle.signal(
                CandidacyWorkflow.offer_outcome,
                OfferOutcome(
                    outcome=outcome,
                    offer_id=self.start.offer_id,
                    engagement_id=self.state.engagement_id,
                    reason=reason,
                ),
            )
        except FailureError:
            # The candidacy already ended (rejected, withdrawn, closed): nothing to move.
            workflow.logger.warning("candidacy %s no longer running", self.start.candidacy_id)

    def _terms_context(self) -> dict[str, object]:
        version = self.state.latest
        terms = version.terms
        return {
            "offer_id": self.start.offer_id,
            "version": version.version,
            "hourly_rate": format_cents(terms.hourly_rate_cents, terms.currency),
            "hours_per_week": terms.hours_per_week,
            "working_days": ", ".join(d.value.capitalize() for d in terms.working_days),
            "start_date": terms.start_date.isoformat(),
            "message": terms.message,
            "expires_at": version.expires_at,
        }

    async def _tell_contractor(self, template: str, extra: dict[str, object]) -> None:
        await self._tell([self.start.contractor_id], template, extra)

    async def _tell_owner(self, template: str, extra: dict[str, object]) -> None:
        await self._tell([self.start.owner_id], template, extra)

    async def _tell(self, recipients: list[str], template: str, extra: dict[str, object]) -> None:
        # The run id keeps a later offer to the same contractor (after a withdrawal) distinct.
        run = workflow.info().run_id
        event_key = f"{self.start.offer_id}:{run}:v{self.state.version}:{template}"
        notice = Notice(
            recipient_ids=recipients,
            template=template,
            event_key=event_key,
            context={
                "job_post_id": self.start.job_post_id,
                "company_id": self.start.company_id,
                "contractor_id": self.start.contractor_id,
                **extra,
            },
            link=f"/offers/{self.start.offer_id}",
        )
        await tell(self.outbox, NOTICES_PATCH, notice)
