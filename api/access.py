"""Who may see what: anything not the caller's answers 404, as if it did not exist."""

from dataclasses import dataclass
from typing import Protocol, TypeVar

from fastapi import HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from api.errors import not_found
from domain.ids import parse_candidacy_workflow_id, parse_interview_workflow_id
from domain.job_posts import JobPostStatus
from domain.roles import Role
from store.models import Candidacy, JobPost, User


def owns_company_resource(user: User, company_id: str) -> bool:
    return user.role == Role.CLIENT and user.company_id == company_id


def is_party(
    user: User, company_id: str, contractor_id: str, *, client: bool, contractor: bool, ops: bool
) -> bool:
    """The user is, among the sides allowed, the client's company, the contractor or ops."""
    return (
        (client and owns_company_resource(user, company_id))
        or (contractor and user.role == Role.CONTRACTOR and user.id == contractor_id)
        or (ops and user.role == Role.OPS)
    )


class _PartyRow(Protocol):
    company_id: str
    contractor_id: str


PartyRowT = TypeVar("PartyRowT", bound=_PartyRow)


async def party_row(
    session: AsyncSession,
    user: User,
    model: type[PartyRowT],
    row_id: str,
    what: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool,
) -> PartyRowT:
    """The row of a company and a contractor (a candidacy, an engagement) when the caller is
    among the allowed parties to it; else 404 naming `what`."""
    row = await session.get(model, row_id)
    if row is None or not is_party(
        user, row.company_id, row.contractor_id, client=client, contractor=contractor, ops=ops
    ):
        raise not_found(what)
    return row


async def job_post_for_owner(
    session: AsyncSession, user: User, job_post_id: str, allow_ops: bool = True
) -> JobPost:
    """The job post when the caller's company owns it (or the caller is ops)."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    if owns_company_resource(user, job_post.company_id) or (allow_ops and user.role == Role.OPS):
        return job_post
    raise not_found("job post")


async def job_post_for_reader(session: AsyncSession, user: User, job_post_id: str) -> JobPost:
    """The job post for its owner and ops; for a contractor, an open one (what they can apply
    to). A closed post is the owner's business only."""
    job_post = await session.get(JobPost, job_post_id)
    if (
        job_post is not None
        and user.role == Role.CONTRACTOR
        and job_post.status == JobPostStatus.OPEN
    ):
        return job_post
    return await job_post_for_owner(session, user, job_post_id)


def refuse_closed(job_post: JobPost) -> None:
    """409 when the job post is closed."""
    if job_post.status != JobPostStatus.OPEN:
        raise HTTPException(409, "this job post is closed")


async def open_job_post(session: AsyncSession, job_post_id: str) -> JobPost:
    """A job post any contractor may apply to."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    refuse_closed(job_post)
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
    return await party_row(
        session,
        user,
        Candidacy,
        candidacy_id,
        "candidacy",
        client=client,
        contractor=contractor,
        ops=ops,
    )


@dataclass(frozen=True)
class JobPostParties:
    """Whose a job post is: fixed once it exists."""

    job_post_id: str
    owner_id: str
    company_id: str


# Job post ids are never reused and their parties never change: remembered per process, so a
# burst of claims on one round reads the job post once.
_parties: dict[str, JobPostParties] = {}
MAX_PARTIES = 10_000


async def _parties_of(session: AsyncSession, job_post_id: str) -> JobPostParties | None:
    parties = _parties.get(job_post_id)
    if parties is None:
        job_post = await session.get(JobPost, job_post_id)
        if job_post is None:
            return None
        if len(_parties) >= MAX_PARTIES:
            _parties.clear()
        parties = _parties[job_post_id] = JobPostParties(
            job_post.id, job_post.owner_id, job_post.company_id
        )
    return parties


def _interview_ids(interview_id: str) -> tuple[str, str, int]:
    """(job post id, contractor id, round) of an interview id; 404 when it is not one."""
    parsed = parse_interview_workflow_id(interview_id)
    if parsed is None:
        raise not_found("interview")
    return parsed


async def interview_parties(
    session: AsyncSession,
    user: User,
    interview_id: str,
    *,
    client: bool,
    contractor: bool,
    ops: bool = True,
) -> tuple[JobPostParties, str, int]:
    """(job post parties, contractor id, round) of an interview the caller is a party to,
    without reading the database after the first time (see `interview_for`)."""
    job_post_id, contractor_id, round_number = _interview_ids(interview_id)
    parties = await _parties_of(session, job_post_id)
    if parties is None or not is_party(
        user, parties.company_id, contractor_id, client=client, contractor=contractor, ops=ops
    ):
        raise not_found("interview")
    return parties, contractor_id, round_number


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
    job_post_id, contractor_id, round_number = _interview_ids(interview_id)
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None or not is_party(
        user, job_post.company_id, contractor_id, client=client, contractor=contractor, ops=ops
    ):
        raise not_found("interview")
    return job_post, contractor_id, round_number
