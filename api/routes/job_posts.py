"""Job posts with their interview plans."""

from datetime import datetime
from zoneinfo import available_timezones

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import update
from sqlmodel import col, func, select

from api.access import job_post_for_owner
from api.closing import start_close
from api.deps import AppSettings, Caller, ClientUser, Now, Session, Temporal
from api.schemas import Page
from domain.ids import new_id
from domain.plans import Round, default_plan, plan_problems
from store.models import JobPost
from workflows.job_post_close_contracts import CloseProgress

router = APIRouter(tags=["job posts"])


class JobPostIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=20000)
    budget_min_cents: int = Field(gt=0, description="hourly budget, lower end, in cents")
    budget_max_cents: int = Field(gt=0, description="hourly budget, upper end, in cents")
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    industry: str = Field(min_length=1, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    tz: str = Field(default="UTC", description="IANA time zone of the job")
    interview_plan: list[Round] | None = Field(
        default=None, description="ordered rounds; the default plan when omitted"
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


class JobPostOut(BaseModel):
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
    interview_plan: list[Round]
    status: str
    created_at: datetime
    closed_at: datetime | None
    closing: CloseProgress | None = Field(
        default=None, description="the close's progress once the post is closed"
    )

    @classmethod
    def of(cls, job_post: JobPost) -> "JobPostOut":
        return cls.model_validate(job_post, from_attributes=True)


@router.post("/job-posts", status_code=201, response_model=JobPostOut)
async def create_job_post(
    body: JobPostIn, user: ClientUser, session: Session, now: Now
) -> JobPostOut:
    """Create a job post with its interview plan (screening 30, technical 60, final 45 when
    none is given). Round durations: screening 15/20/30, technical 45/60, project_deep_dive 30/45,
    panel 45/60, final 45/60."""
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
    return JobPostOut.of(await job_post_for_owner(session, user, job_post_id))


@router.get("/job-posts", response_model=Page[JobPostOut])
async def list_job_posts(
    user: Caller,
    session: Session,
    status: str | None = Query(default=None, pattern="^(open|closed)$"),
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=20, ge=1, le=100),
) -> Page[JobPostOut]:
    """The caller's company's job posts (every job post for ops)."""
    query = select(JobPost)
    if user.role == "client":
        query = query.where(JobPost.company_id == user.company_id)
    elif user.role != "ops":
        query = query.where(JobPost.status == "open")
    if status:
        query = query.where(JobPost.status == status)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(JobPost.created_at).desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(items=[JobPostOut.of(r) for r in rows], total=total, page=page, per_page=per_page)


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
        .where(col(JobPost.id) == job_post_id, col(JobPost.status) == "open")
        .values(status="closed", closed_at=now)
    )
    await session.commit()
    await session.refresh(job_post)
    closed = JobPostOut.of(job_post)
    closing = await start_close(temporal, settings.temporal_task_queue, job_post, now)
    return closed.model_copy(update={"closing": closing})
