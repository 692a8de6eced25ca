"""An engagement started straight from the state a run carries over by continue-as-new, on a real
Temporal server, and the ledger rows it writes."""

from typing import Any

from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar
from temporalio.client import Client

from contracts.engagement import EngagementStart, EngagementState
from core.db import Database
from domain.ids import candidacy_workflow_id
from domain.offers import engagement_workflow_id, offer_workflow_id
from domain.proration import monthly_seat_fee
from store.models import LedgerEntry
from tests.stack import Actor
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow


def hired_state(
    job_post_id: str, client: Actor, contractor_id: str, **state: Any
) -> EngagementState:
    """The state of `contractor_id`'s engagement on `client`'s job post (standard plan); `state`:
    the rest of it."""
    assert client.company_id is not None
    return EngagementState(
        engagement_id=engagement_workflow_id(job_post_id, contractor_id),
        offer_id=offer_workflow_id(job_post_id, contractor_id),
        candidacy_id=candidacy_workflow_id(job_post_id, contractor_id),
        job_post_id=job_post_id,
        company_id=client.company_id,
        owner_id=client.id,
        contractor_id=contractor_id,
        plan="standard",
        seat_fee_cents=monthly_seat_fee("standard"),
        **state,
    )


async def start_carried(client: Client, task_queue: str, state: EngagementState) -> None:
    await client.start_workflow(
        EngagementWorkflow.run,
        EngagementStart(state=state),
        id=state.engagement_id,
        task_queue=task_queue,
        search_attributes=sa.for_candidacy(
            state.job_post_id, state.company_id, state.contractor_id, "hired"
        ),
    )


async def ledger_rows(
    db: Database, engagement_id: str, order: list[Any] | None = None
) -> list[LedgerEntry]:
    """The engagement's ledger rows, in `order` (by default, as written)."""
    query: SelectOfScalar[LedgerEntry] = select(LedgerEntry).where(
        LedgerEntry.engagement_id == engagement_id
    )
    async with db.session() as session:
        return list(await session.exec(query.order_by(*(order or [col(LedgerEntry.created_at)]))))
