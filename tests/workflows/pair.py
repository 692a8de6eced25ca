"""The ids a workflow of a job post and contractor pair carries, made up for a test of the
workflow alone (no database behind them)."""

import uuid
from typing import TypedDict

from domain.ids import candidacy_workflow_id
from domain.offers import offer_workflow_id


class PairIds(TypedDict):
    offer_id: str
    candidacy_id: str
    job_post_id: str
    company_id: str
    owner_id: str
    contractor_id: str


def new_pair() -> PairIds:
    """A fresh job post (of an owner in a company) and contractor, and their pair's workflows."""
    suffix = uuid.uuid4().hex[:8]
    job_post_id, contractor_id = f"jp_{suffix}", f"u_c{suffix}"
    return PairIds(
        offer_id=offer_workflow_id(job_post_id, contractor_id),
        candidacy_id=candidacy_workflow_id(job_post_id, contractor_id),
        job_post_id=job_post_id,
        company_id=f"co_{suffix}",
        owner_id=f"u_o{suffix}",
        contractor_id=contractor_id,
    )
