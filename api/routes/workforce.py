"""The workforce: a client's hired contractors, and their campaigns."""

from datetime import date, datetime

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.deps import ClientUser, Now, Session
from api.engagement_access import engagement_for
from domain.offers import Schedule
from store.models import CampaignAssignment, ContractorProfile, Engagement, JobPost, User

router = APIRouter(tags=["workforce"])


class WorkforceMember(BaseModel):
    engagement_id: str
    contractor_id: str
    name: str
    headline: str
    tz: str
    job_post_id: str
    job_post_title: str
    status: str  # scheduled | active | ended
    start_date: date
    terms: Schedule
    campaigns: list[str]


class CampaignIn(BaseModel):
    campaign: str = Field(min_length=1, max_length=100, description="the campaign's name")

    @field_validator("campaign")
    @classmethod
    def trimmed(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("campaign must not be blank")
        return name


class CampaignAssignmentOut(BaseModel):
    engagement_id: str
    campaign: str
    assigned_by: str
    assigned_at: datetime


@router.get("/workforce", response_model=list[WorkforceMember])
async def workforce(
    user: ClientUser,
    session: Session,
    include_ended: bool = Query(default=False),
    campaign: str | None = None,
) -> list[WorkforceMember]:
    """The company's hired contractors (scheduled and active; ended too on request)."""
    statement = (
        select(Engagement, User, ContractorProfile, JobPost)
        .join(User, col(User.id) == col(Engagement.contractor_id))
        .join(ContractorProfile, col(ContractorProfile.user_id) == col(User.id), isouter=True)
        .join(JobPost, col(JobPost.id) == col(Engagement.job_post_id))
        .where(Engagement.company_id == user.company_id)
        .order_by(col(Engagement.signed_at))
    )
    if not include_ended:
        statement = statement.where(Engagement.status != "ended")
    rows = list(await session.exec(statement))
    assignments = await session.exec(
        select(CampaignAssignment)
        .where(col(CampaignAssignment.engagement_id).in_([e.id for e, *_ in rows]))
        .order_by(col(CampaignAssignment.assigned_at))
    )
    campaigns: dict[str, list[str]] = {}
    for assignment in assignments:
        campaigns.setdefault(assignment.engagement_id, []).append(assignment.campaign)
    members = [
        WorkforceMember(
            engagement_id=engagement.id,
            contractor_id=contractor.id,
            name=contractor.name,
            headline=profile.headline if profile else "",
            tz=contractor.tz,
            job_post_id=job_post.id,
            job_post_title=job_post.title,
            status=engagement.status,
            start_date=engagement.start_date,
            terms=Schedule.model_validate(engagement.terms),
            campaigns=campaigns.get(engagement.id, []),
        )
        for engagement, contractor, profile, job_post in rows
    ]
    if campaign is not None:
        members = [m for m in members if campaign in m.campaigns]
    return members


@router.post(
    "/workforce/{engagement_id}/campaigns",
    response_model=CampaignAssignmentOut,
    status_code=201,
    responses={200: {"description": "already assigned to this campaign"}},
)
async def assign_to_campaign(
    engagement_id: str,
    body: CampaignIn,
    user: ClientUser,
    session: Session,
    now: Now,
    response: Response,
) -> CampaignAssignmentOut:
    """Assign a hired contractor to a named campaign (assigning twice answers the first, 200)."""
    engagement = await engagement_for(session, user, engagement_id, client=True, contractor=False)
    if engagement.status == "ended":
        raise HTTPException(409, "this engagement has ended")
    existing = await session.get(CampaignAssignment, (engagement_id, body.campaign))
    if existing is None:
        existing = CampaignAssignment(
            engagement_id=engagement_id,
            campaign=body.campaign,
            company_id=engagement.company_id,
            assigned_by=user.id,
            assigned_at=now,
        )
        session.add(existing)
        try:
            await session.commit()
            return CampaignAssignmentOut.model_validate(existing, from_attributes=True)
        except IntegrityError:  # assigned concurrently
            await session.rollback()
            existing = await session.get(CampaignAssignment, (engagement_id, body.campaign))
            assert existing is not None
    response.status_code = 200
    return CampaignAssignmentOut.model_validate(existing, from_attributes=True)
