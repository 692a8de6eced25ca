"""Projections of offers, engagements and their weeks: the rows lists, the workforce and the
engagement pages read. Each write carries the workflow's own ordering (a version), so a late retry
never moves a row back."""

from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col
from temporalio import activity
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from contracts import engagement as interface
from contracts.engagement import EngagementProjection, EngagementStart, WeekProjection
from contracts.offer import OfferProjection
from core.db import Database
from domain.money import hundredths_of_hours
from store.models import Engagement, Offer, Timesheet
from store.upsert import upsert
from workflows import search_attributes as sa
from workflows import summaries
from workflows.engagement import EngagementWorkflow


def _hundredths(hours: Any) -> int | None:
    return None if hours is None else hundredths_of_hours(hours)


class EngagementActivities(interface.EngagementActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [
            self.start_engagement,
            self.project_offer,
            self.project_engagement,
            self.project_week,
        ]

    @activity.defn
    async def start_engagement(self, start: EngagementStart) -> str:
        """Start the EngagementWorkflow on the signature: a workflow of its own, not a child of the
        offer, since it outlives the offer and the candidacy. A retry finds it started."""
        state = start.state
        try:
            await activity.client().start_workflow(
                EngagementWorkflow.run,
                start,
                id=state.engagement_id,
                task_queue=activity.info().task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=sa.for_engagement(
                    state.job_post_id, state.company_id, state.contractor_id, state.status.value
                ),
                static_summary=summaries.engagement_summary(state.contractor_id, state.job_post_id),
                static_details=summaries.engagement_details(
                    state.offer_id, state.plan, state.start_date.isoformat()
                ),
            )
        except WorkflowAlreadyStartedError:
            pass
        return state.engagement_id

    @activity.defn
    async def project_offer(self, projection: OfferProjection) -> None:
        state = projection.state
        first_sent = state.versions[0].sent_at
        signature = state.signature
        values: dict[str, Any] = dict(
            candidacy_id=state.candidacy_id,
            job_post_id=state.job_post_id,
            company_id=state.company_id,
            contractor_id=state.contractor_id,
            status=state.status.value,
            version=state.version,
            terms=state.latest.terms.model_dump(mode="json"),
            sent_at=first_sent,
            updated_at=projection.at,
            signed_at=signature.signed_at if signature else None,
            signed_version=signature.version if signature else None,
            signed_terms=signature.terms.model_dump(mode="json") if signature else None,
            signature=signature.digest if signature else None,
            projection_version=projection.projection_version,
        )
        # A new offer to the same contractor (after a withdrawal) reuses the id: later is newer.
        newer = or_(
            col(Offer.sent_at) < first_sent,
            and_(
                col(Offer.sent_at) == first_sent,
                col(Offer.projection_version) < projection.projection_version,
            ),
        )
        await upsert(self.db, Offer, {"id": state.offer_id}, values, newer=newer)

    @activity.defn
    async def project_engagement(self, projection: EngagementProjection) -> None:
        state = projection.state
        current_week = state.next_week_to_open - 1
        values: dict[str, Any] = dict(
            offer_id=state.offer_id,
            candidacy_id=state.candidacy_id,
            job_post_id=state.job_post_id,
            company_id=state.company_id,
            contractor_id=state.contractor_id,
            status=state.status.value,
            plan=state.plan,
            seat_fee_cents=state.seat_fee_cents,
            currency=state.currency,
            billing_tz=state.billing_tz,
            start_date=state.start_date,
            terms=state.terms_for_week(max(current_week, 1)).model_dump(mode="json"),
            terms_schedule=[c.model_dump(mode="json") for c in state.terms_schedule],
            signed_at=state.signed_at,
            ended_at=state.ended_at,
            last_week=state.last_week,
            updated_at=projection.at,
            projection_version=state.projection_version,
        )
        await upsert(
            self.db,
            Engagement,
            {"id": state.engagement_id},
            values,
            newer=col(Engagement.projection_version) < state.projection_version,
            on_insert={"created_at": projection.at},
        )

    @activity.defn
    async def project_week(self, projection: WeekProjection) -> None:
        week = projection.week
        values: dict[str, Any] = dict(
            company_id=projection.company_id,
            contractor_id=projection.contractor_id,
            first_day=week.first_day,
            ends_at=week.ends_at,
            review_until=week.review_until,
            status=week.status.value,
            submitted_hundredths=_hundredths(week.hours),
            submitted_at=week.submitted_at,
            review=week.review.value,
            corrected_hundredths=_hundredths(week.corrected_hours),
            dispute_reason=week.dispute_reason,
            scheduled_hundredths=hundredths_of_hours(week.scheduled_hours),
            hourly_rate_cents=week.hourly_rate_cents,
            paid_hundredths=_hundredths(week.paid_hours),
            payout_cents=week.payout_cents,
            revision=week.revision,
        )
        await upsert(
            self.db,
            Timesheet,
            {"engagement_id": projection.engagement_id, "week": week.week},
            values,
            newer=col(Timesheet.revision) < week.revision,
        )
