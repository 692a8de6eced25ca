"""Who may see offers and engagements: the client's company, the contractor, ops; anyone else
gets 404, as if it did not exist."""

from sqlmodel.ext.asyncio.session import AsyncSession

from api.access import is_party, party_row
from api.errors import not_found
from domain.offers import parse_pair_id
from store.models import Engagement, JobPost, User


async def offer_for(
    session: AsyncSession,
    user: User,
    offer_id: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool = False,
) -> tuple[JobPost, str]:
    """(job post, contractor id) of an offer the caller is a party to."""
    parsed = parse_pair_id("offer", offer_id)
    if parsed is None:
        raise not_found("offer")
    job_post = await session.get(JobPost, parsed[0])
    if job_post is None or not is_party(
        user, job_post.company_id, parsed[1], client=client, contractor=contractor, ops=ops
    ):
        raise not_found("offer")
    return job_post, parsed[1]


async def engagement_for(
    session: AsyncSession,
    user: User,
    engagement_id: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool = False,
) -> Engagement:
    return await party_row(
        session,
        user,
        Engagement,
        engagement_id,
        "engagement",
        client=client,
        contractor=contractor,
        ops=ops,
    )
