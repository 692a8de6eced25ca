"""Who may see what: anything not the caller's answers 404, as if it did not exist."""

from fastapi import HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from api.errors import not_found
from domain.ids import parse_candidacy_workflow_id, parse_interview_workflow_id
from store.models import Candidacy, JobPost, User


def owns_company_resource(user: User, company_id: str) -> bool:
    return user.role == "client" and user.company_id == company_id


async def job_post_for_owner(
    session: AsyncSession, user: User, job_post_id: str, allow_ops: bool = True
) -> JobPost:
    """The job post when the caller's company owns it (or the caller is ops)."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    if owns_company_resource(user, job_post.company_id) or (allow_ops and user.role == "ops"):
        return job_post
    raise not_found("job post")


async def job_post_for_reader(session: AsyncSession, user: User, job_post_id: str) -> JobPost:
    """The job post for its owner and ops; for a contractor, an open one (what they can apply
    to). A closed post is the owner's business only."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is not None and user.role == "contractor" and job_post.status == "open":
        return job_post
    return await job_post_for_owner(session, user, job_post_id)


async def open_job_post(session: AsyncSession, job_post_id: str) -> JobPost:
    """A job post any contractor may apply to."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    if job_post.status != "open":
        raise HTTPException(409, "this job post is closed")
    return job_post


async def candidacy_for(
    session: AsyncSession,
    user: User,
    candidacy_id: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool,
) -> Candidacy:
    """The candidacy when the caller is among the allowed parties to it."""
    if parse_candidacy_workflow_id(candidacy_id) is None:
        raise not_found("candidacy")
    candidacy = await session.get(Candidacy, candidacy_id)
    if candidacy is None:
        raise not_found("candidacy")
    allowed = (
        (client and owns_company_resource(user, candidacy.company_id))
        or (contractor and user.role == "contractor" and user.id == candidacy.contractor_id)
        or (ops and user.role == "ops")
    )
    if not allowed:
        raise not_found("candidacy")
    return candidacy


async def interview_for(
    session: AsyncSession,
    user: User,
    interview_id: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool = True,
) -> tuple[JobPost, str, int]:
    """(job post, contractor id, round) of an interview the caller is a party to."""
    parsed = parse_interview_workflow_id(interview_id)
    if parsed is None:
        raise not_found("interview")
    job_post_id, contractor_id, round_number = parsed
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("interview")
    allowed = (
        (client and owns_company_resource(user, job_post.company_id))
        or (contractor and user.role == "contractor" and user.id == contractor_id)
        or (ops and user.role == "ops")
    )
    if not allowed:
        raise not_found("interview")
    return job_post, contractor_id, round_number
