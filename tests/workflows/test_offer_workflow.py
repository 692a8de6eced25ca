"""OfferWorkflow alone, its activities replaced by doubles: the 7-day clock of each version
(reminder at day 5, expiry at day 7, a revision starts a fresh clock), only the latest version
can be accepted and only before its start date has passed, and acceptance starts the engagement
with the plan's seat fee and the signed terms, sealed by their digest."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from contracts.engagement import EngagementStart
from contracts.offer import (
    AcceptRequest,
    CounterRequest,
    OfferStart,
    OfferState,
    OfferStatus,
    ReviseRequest,
)
from domain.offers import OfferTerms, Weekday
from tests.workflows.calendar import same_moments
from tests.workflows.doubles import Doubles, worker_with
from tests.workflows.pair import new_pair
from workflows.offer import OfferWorkflow, signature_digest

DAY = timedelta(days=1)


@dataclass
class Offer:
    env: WorkflowEnvironment
    doubles: Doubles
    handle: WorkflowHandle[OfferWorkflow, OfferState]
    start: OfferStart

    async def skip(self, days: float) -> None:
        await self.env.sleep(days * DAY)


def terms(start_date: date, rate_cents: int = 4000) -> OfferTerms:
    return OfferTerms(
        hourly_rate_cents=rate_cents,
        hours_per_week=Decimal(20),
        working_days=[Weekday.MON, Weekday.TUE, Weekday.WED],
        start_date=start_date,
    )


@pytest.fixture(params=["standard"])
async def offer(
    request: pytest.FixtureRequest, time_env: WorkflowEnvironment
) -> AsyncIterator[Offer]:
    doubles = Doubles()
    now = await time_env.get_current_time()
    pair = new_pair()
    start = OfferStart(
        **pair,
        plan=request.param,
        billing_tz="UTC",
        terms=terms(now.date() + 10 * DAY),
        sent_at=now,
        sent_by=pair["owner_id"],
    )
    async with worker_with(time_env, doubles) as task_queue:
        handle = await time_env.client.start_workflow(
            OfferWorkflow.run, start, id=start.offer_id, task_queue=task_queue
        )
        yield Offer(time_env, doubles, handle, start)


def sent_at(offer: Offer, template: str) -> list[datetime]:
    return [n.at for n in offer.doubles.notices(template) if n.at is not None]


async def test_an_unanswered_offer_reminds_at_day_5_and_expires_at_day_7(offer: Offer) -> None:
    state = await offer.handle.result()
    sent = offer.start.sent_at
    assert state.status == OfferStatus.EXPIRED
    assert same_moments([state.answered_at], [sent + 7 * DAY])
    assert same_moments(sent_at(offer, "offer_received"), [sent])
    assert same_moments(sent_at(offer, "offer_reminder"), [sent + 5 * DAY])
    [expired] = offer.doubles.notices("offer_expired")
    assert same_moments([expired.at], [sent + 7 * DAY])
    assert expired.recipient_ids == [offer.start.contractor_id, offer.start.owner_id]
    assert offer.doubles.args("start_engagement") == []


async def test_a_revision_on_day_6_starts_a_fresh_7_day_clock(offer: Offer) -> None:
    sent = offer.start.sent_at
    await offer.skip(6)
    revised = await offer.handle.execute_update(
        OfferWorkflow.revise,
        ReviseRequest(terms=terms(sent.date() + 20 * DAY, 4500), by=offer.start.owner_id),
    )
    assert (revised.version, revised.status) == (2, OfferStatus.OPEN)
    state = await offer.handle.result()
    assert state.status == OfferStatus.EXPIRED
    assert same_moments([state.answered_at], [sent + 13 * DAY])  # day 6 + 7
    # Version 1's reminder (day 5), then version 2's (day 6 + 5); version 1 never expired.
    assert same_moments(sent_at(offer, "offer_reminder"), [sent + 5 * DAY, sent + 11 * DAY])
    assert same_moments(sent_at(offer, "offer_expired"), [sent + 13 * DAY])
    assert [n.context["version"] for n in offer.doubles.notices("offer_received")] == [1, 2]


async def test_only_the_latest_version_is_accepted_and_acceptance_starts_the_engagement(
    offer: Offer,
) -> None:
    contractor = offer.start.contractor_id
    await offer.handle.execute_update(
        OfferWorkflow.counter,
        CounterRequest(version=1, hourly_rate_cents=5000, hours_per_week=Decimal(20)),
    )
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await offer.handle.execute_update(
            OfferWorkflow.counter,
            CounterRequest(version=1, hourly_rate_cents=4800, hours_per_week=Decimal(20)),
        )
    assert "already countered" in str(again.value.cause)
    latest = terms(offer.start.sent_at.date() + 12 * DAY, 4800)
    await offer.skip(2)
    await offer.handle.execute_update(
        OfferWorkflow.revise, ReviseRequest(terms=latest, by=offer.start.owner_id)
    )
    with pytest.raises(WorkflowUpdateFailedError) as old:
        await offer.handle.execute_update(
            OfferWorkflow.accept, AcceptRequest(version=1, by=contractor)
        )
    assert "only the latest, version 2, can be accepted" in str(old.value.cause)

    accepted = await offer.handle.execute_update(
        OfferWorkflow.accept, AcceptRequest(version=2, by=contractor)
    )
    signed_at = offer.start.sent_at + 2 * DAY
    signature = accepted.signature
    assert signature is not None
    assert accepted.status == OfferStatus.ACCEPTED
    assert (signature.version, signature.terms, signature.signed_by) == (2, latest, contractor)
    assert same_moments([signature.signed_at], [signed_at])
    assert signature.digest == signature_digest(
        offer.start.offer_id, contractor, accepted.versions[1], signature.signed_at
    )
    [started] = offer.doubles.args("start_engagement")
    assert isinstance(started, EngagementStart)
    engagement = started.state
    assert engagement.seat_fee_cents == 24000  # the standard plan's monthly seat fee
    assert engagement.start_date == latest.start_date
    [first_terms] = engagement.terms_schedule
    assert (first_terms.from_week, first_terms.terms.hourly_rate_cents) == (1, 4800)
    state = await offer.handle.result()
    assert state.engagement_id == engagement.engagement_id
    assert set(offer.doubles.templates()) >= {
        "offer_countered",
        "offer_accepted",
        "contract_signed",
    }
    assert offer.doubles.notices("offer_reminder") == []


async def test_an_offer_whose_start_date_has_passed_cannot_be_accepted(offer: Offer) -> None:
    today = offer.start.sent_at.date()  # (billing zone UTC)
    await offer.handle.execute_update(
        OfferWorkflow.revise, ReviseRequest(terms=terms(today), by=offer.start.owner_id)
    )
    await offer.skip(1)
    with pytest.raises(WorkflowUpdateFailedError) as passed:
        await offer.handle.execute_update(
            OfferWorkflow.accept, AcceptRequest(version=2, by=offer.start.contractor_id)
        )
    assert f"the start date {today.isoformat()} has passed" in str(passed.value.cause)
    assert offer.doubles.args("start_engagement") == []


@pytest.mark.parametrize("offer", ["volume"], indirect=True)
async def test_acceptance_on_the_volume_plan_charges_its_seat_fee(offer: Offer) -> None:
    await offer.handle.execute_update(
        OfferWorkflow.accept, AcceptRequest(version=1, by=offer.start.contractor_id)
    )
    [started] = offer.doubles.args("start_engagement")
    assert started.state.seat_fee_cents == 18000
