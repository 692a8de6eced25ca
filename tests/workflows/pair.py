"""The ids a workflow of a job post and contractor pair carries, made up for a test of the
workflow alone (no database behind them)."""

import uuid
from typing import Any

from domain.ids import candidacy_workflow_id
from domain.offers import offer_workflow_id


def new_pair() -> dict[str, Any]:
    """A fresh job post (of an owner in a company) and contractor, and their pair's candidacy and
    offer: the fields the pair's workflows start with."""
    suffix = uuid.uuid4().hex[:8]
    job_post_id, contractor_id = f"jp_{suffix}", f"u_c{suffix}"
    return {
        "offer_id": offer_workflow_id(job_post_id, contractor_id),
        "candidacy_id": candidacy_workflow_id(job_post_id, contractor_id),
        "job_post_id": job_post_id,
        "company_id": f"co_{suffix}",
        "owner_id": f"u_o{suffix}",
        "contractor_id": contractor_id,
    }
