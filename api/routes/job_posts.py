"""Job posts with their interview plans."""

from datetime import datetime
from zoneinfo import available_timezones

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import update
from sqlmodel import col, select

from api.access import job_post_for_owner, job_post_for_reader
from api.closing import start_close
from api.deps import AppSettings, Caller, ClientUser, Now, Session, Temporal
from api.lists import page_of, total_of
from api.schemas import MAX_RATE_CENTS, ROUND_DURATIONS, Page, Paging
from contracts.job_post_close import CloseProgress
from domain.ids import new_id
from domain.job_posts import JobPostStatus
from domain.plans import MAX_ROUNDS, Round, RoundKind, default_plan, plan_problems
from domain.roles import Role
from store.models import JobPost, User

router = APIRouter(tags=["job posts"])


class JobPostIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=20000)
    budget_min_cents: int = Field(
        gt=0, le=MAX_RATE_CENTS, description="hourly budget, lower end, in cents"
    )
    budget_max_cents: int = Field(
        gt=0, le=MAX_RATE_CENTS, description="hourly budget, upper end, in cents"
    )
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    industry: str = Field(min_length=1, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    tz: str = Field(default="UTC", description="IANA time zone of the job")
    interview_plan: list[Round] | None = Field(
        default=None,
        description=f"ordered rounds, 1 to {MAX_ROUNDS}; the default plan when omitted. "
        f"Allowed durations in minutes: {ROUND_DURATIONS}.",
    )

    @field_validator("tz")
    @classmethod
    def known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @model_validator(mode="after")
    def budget_and_plan(self) -> "JobPostIn":
        if self.budget_min_cents > self.budget_max_cents:
            raise ValueError("budget_min_cents must not exceed budget_max_cents")
        if self.interview_plan is not None:
            problems = plan_problems(self.interview_plan)
            if problems:
                raise ValueError("; ".join(problems))
        return self


class AssessmentOut(BaseModel):
    instructions: str | None = Field(
        description="the take-home's brief: the owner's and ops' to read (null for contractors, "
        "who get it when the round's take-home is assigned)"
    )
    due_days: int


class RoundOut(BaseModel):
    kind: RoundKind
    duration_minutes: int
    assessment: AssessmentOut | None


class JobPostOut(BaseModel):
    """A job post. A contractor reads an open one as its owner does, without what is the
    client's own: the take-home briefs. (The owner's identity, saved and handpicked lists and
    candidates are never part of a job post.)"""

    id: str
    company_id: str
    title: str
    description: str
    budget_min_cents: int
    budget_max_cents: int
    currency: str
    industry: str
    languages: list[str]
    tz: str
    interview_plan: list[RoundOut]
    status: str
    created_at: datetime
    closed_at: datetime | None
    closing: CloseProgress | None = Field(
        default=None, description="the close's progress once the post is closed"
    )

    @classmethod
    def of(cls, job_post: JobPost, reader: User | None = None) -> "JobPostOut":
        out = cls.model_validate(job_post, from_attributes=True)
        if reader is not None and reader.role == Role.CONTRACTOR:
            for round_ in out.interview_plan:
                if round_.assessment is not None:
                    round_.assessment.instructions = None
        return out


@router.post("/job-posts", status_code=201, response_model=JobPostOut)
async def create_job_post(
    body: JobPostIn, user: ClientUser, session: Session, now: Now
) -> JobPostOut:
    """Create a job post with its interview plan (screening 30, technical 60, final 45 when
    none is given). Each round's duration must be one its kind allows (see `interview_plan`)."""
    if user.company_id is None:
        raise HTTPException(403, "this client belongs to no company")
    plan = body.interview_plan if body.interview_plan is not None else default_plan()
    job_post = JobPost(
        id=new_id("jp"),
        company_id=user.company_id,
        owner_id=user.id,
        title=body.title,
        description=body.description,
        budget_min_cents=body.budget_min_cents,
        budget_max_cents=body.budget_max_cents,
        currency=body.currency,
        industry=body.industry,
        languages=body.languages,
        tz=body.tz,
        interview_plan=[r.model_dump(mode="json") for r in plan],
        created_at=now,
    )
    session.add(job_post)
    await session.commit()
    return JobPostOut.of(job_post)


@router.get("/job-posts/{job_post_id}", response_model=JobPostOut)
async def get_job_post(job_post_id: str, user: Caller, session: Session) -> JobPostOut:
    """The job post: for its owner and ops; for any contractor while it is open (without the
    take-home briefs). Anyone else, or a contractor once it is closed: 404."""
    return JobPostOut.of(await job_post_for_reader(session, user, job_post_id), user)


@router.get("/job-posts", response_model=Page[JobPostOut])
async def list_job_posts(
    user: Caller,
    session: Session,
    paging: Paging,
    status: str | None = Query(default=None, pattern="^(open|closed)$"),
) -> Page[JobPostOut]:
    """The caller's company's job posts (every job post for ops, the open ones for contractors)."""
    query = select(JobPost)
    if user.role == Role.CLIENT:
        query = query.where(JobPost.company_id == user.company_id)
    elif user.role != Role.OPS:
        query = query.where(JobPost.status == JobPostStatus.OPEN)
    if status:
        query = query.where(JobPost.status == status)
    total = await total_of(session, query)
    rows = await session.exec(page_of(query.order_by(col(JobPost.created_at).desc()), paging))
    return Page(
        items=[JobPostOut.of(r, user) for r in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


@router.post("/job-posts/{job_post_id}/close", response_model=JobPostOut)
async def close_job_post(
    job_post_id: str,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> JobPostOut:
    """Close the job post (the owner): no more applications, invitations or slots. Answers 200 at
    once with the post and its `closing`: the close (workflow `close-<job post id>`) then
    withdraws the post's open slots and ends every open candidacy as closed, 20 at a time (its
    booked interview cancelled with a calendar CANCEL, its slot withdrawn, an open offer pulled,
    the contractor told once). `GET /job-posts/{id}` shows its progress until `finished_at`.

    Idempotent: closing again answers the same close as it stands; `closed_at` stays the first
    close's. A close that failed (`closing.status` is `failed`) starts again and ends whatever is
    still open."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    await session.exec(
        update(JobPost)
        .where(col(JobPost.id) == job_post_id, col(JobPost.status) == JobPostStatus.OPEN)
        .values(status=JobPostStatus.CLOSED, closed_at=now)
    )
    await session.commit()
    await session.refresh(job_post)
    closed = JobPostOut.of(job_post)
    closing = await start_close(temporal, settings.temporal_task_queue, job_post, now)
    return closed.model_copy(update={"closing": closing})
