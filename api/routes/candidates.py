"""Candidate lists of a job post (best matches, handpicked, applicants, saved), starring, and
ops' handpicks. A contractor's email never appears here: clients see it only after hire."""

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.access import job_post_for_owner, refuse_closed
from api.deps import Caller, ClientUser, Now, Session
from api.errors import not_found
from api.lists import page_of, total_of
from api.schemas import Page, Paging
from domain.matching import ContractorOffer, JobNeeds, match_score, rank
from domain.roles import Role
from store.models import (
    Candidacy,
    ContractorProfile,
    HandpickedCandidate,
    JobPost,
    SavedCandidate,
    User,
)

router = APIRouter(tags=["candidates"])


class CandidateList(StrEnum):
    BEST_MATCHES = "best_matches"
    HANDPICKED = "handpicked"
    APPLICANTS = "applicants"
    SAVED = "saved"


class CandidateOut(BaseModel):
    contractor_id: str
    name: str
    headline: str
    skills: list[str]
    industries: list[str]
    languages: list[str]
    hourly_rate_cents: int
    currency: str
    tz: str
    match_score: int
    saved: bool
    candidacy_id: str | None
    stage: str | None


class HandpickIn(BaseModel):
    contractor_id: str


Profile = tuple[User, ContractorProfile]


def _needs(job_post: JobPost) -> JobNeeds:
    return JobNeeds(
        budget_min_cents=job_post.budget_min_cents,
        budget_max_cents=job_post.budget_max_cents,
        industry=job_post.industry,
        languages=frozenset(job_post.languages),
    )


def _offer(profile: ContractorProfile) -> ContractorOffer:
    return ContractorOffer(
        hourly_rate_cents=profile.hourly_rate_cents,
        industries=frozenset(profile.industries),
        languages=frozenset(profile.languages),
    )


async def _profiles(session: Session, ids: Sequence[str] | None = None) -> dict[str, Profile]:
    """Contractors with their profiles, by id (every contractor when `ids` is None)."""
    statement = (
        select(User, ContractorProfile)
        .join(ContractorProfile, col(ContractorProfile.user_id) == col(User.id))
        .where(User.role == Role.CONTRACTOR)
    )
    if ids is not None:
        statement = statement.where(col(User.id).in_(ids))
    return {user.id: (user, profile) for user, profile in await session.exec(statement)}


async def _cards(
    session: Session, job_post: JobPost, ids: list[str], profiles: dict[str, Profile]
) -> list[CandidateOut]:
    """The candidates `ids`, in that order, with their standing on this job post."""
    saved = set(
        await session.exec(
            select(SavedCandidate.contractor_id).where(
                SavedCandidate.job_post_id == job_post.id,
                col(SavedCandidate.contractor_id).in_(ids),
            )
        )
    )
    candidacies = {
        c.contractor_id: c
        for c in await session.exec(
            select(Candidacy).where(
                Candidacy.job_post_id == job_post.id, col(Candidacy.contractor_id).in_(ids)
            )
        )
    }
    needs = _needs(job_post)
    cards = []
    for contractor_id in ids:
        if contractor_id not in profiles:
            continue
        user, profile = profiles[contractor_id]
        candidacy = candidacies.get(contractor_id)
        cards.append(
            CandidateOut(
                contractor_id=user.id,
                name=user.name,
                headline=profile.headline,
                skills=profile.skills,
                industries=profile.industries,
                languages=profile.languages,
                hourly_rate_cents=profile.hourly_rate_cents,
                currency=profile.currency,
                tz=user.tz,
                match_score=match_score(needs, _offer(profile)),
                saved=contractor_id in saved,
                candidacy_id=candidacy.id if candidacy else None,
                stage=candidacy.stage if candidacy else None,
            )
        )
    return cards


def _listed(list_: CandidateList, job_post_id: str) -> Any:
    """The contractor ids of a stored list, in the list's order."""
    if list_ == CandidateList.HANDPICKED:
        return (
            select(HandpickedCandidate.contractor_id)
            .where(HandpickedCandidate.job_post_id == job_post_id)
            .order_by(col(HandpickedCandidate.added_at).desc(), HandpickedCandidate.contractor_id)
        )
    if list_ == CandidateList.SAVED:
        return (
            select(SavedCandidate.contractor_id)
            .where(SavedCandidate.job_post_id == job_post_id)
            .order_by(col(SavedCandidate.saved_at).desc(), SavedCandidate.contractor_id)
        )
    return (
        select(Candidacy.contractor_id)
        .where(Candidacy.job_post_id == job_post_id, Candidacy.source == "applied")
        .order_by(col(Candidacy.created_at), Candidacy.contractor_id)
    )


@router.get("/job-posts/{job_post_id}/candidates", response_model=Page[CandidateOut])
async def list_candidates(
    job_post_id: str,
    user: Caller,
    session: Session,
    paging: Paging,
    list_: CandidateList = Query(default=CandidateList.BEST_MATCHES, alias="list"),
) -> Page[CandidateOut]:
    """A candidate list (the owner or ops). Orders: best_matches by match score (0-100: budget
    and rate 40, industry 30, languages 30), highest first; handpicked and saved newest first;
    applicants oldest application first (the review queue). Equal keys by contractor id."""
    job_post = await job_post_for_owner(session, user, job_post_id)
    offset = paging.offset
    if list_ == CandidateList.BEST_MATCHES:
        profiles = await _profiles(session)
        ranked = rank(_needs(job_post), {cid: _offer(p) for cid, (_, p) in profiles.items()})
        total = len(ranked)
        ids = [r.contractor_id for r in ranked[offset : offset + paging.per_page]]
    else:
        listed = _listed(list_, job_post_id)
        total = await total_of(session, listed)
        ids = list(await session.exec(page_of(listed, paging)))
        profiles = await _profiles(session, ids)
    items = await _cards(session, job_post, ids, profiles)
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


async def _contractor_profile(session: Session, contractor_id: str) -> Profile | None:
    return (await _profiles(session, [contractor_id])).get(contractor_id)


async def _card(session: Session, job_post: JobPost, profile: Profile) -> CandidateOut:
    return (await _cards(session, job_post, [profile[0].id], {profile[0].id: profile}))[0]


@router.put("/job-posts/{job_post_id}/saved/{contractor_id}", response_model=CandidateOut)
async def save_candidate(
    job_post_id: str, contractor_id: str, user: ClientUser, session: Session, now: Now
) -> CandidateOut:
    """Star a contractor for this job post (the owner); starring again changes nothing."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    profile = await _contractor_profile(session, contractor_id)
    if profile is None:
        raise not_found("contractor")
    if await session.get(SavedCandidate, (job_post_id, contractor_id)) is None:
        session.add(
            SavedCandidate(job_post_id=job_post_id, contractor_id=contractor_id, saved_at=now)
        )
        try:
            await session.commit()
        except IntegrityError:  # a concurrent request starred it first
            await session.rollback()
    return await _card(session, job_post, profile)


@router.delete("/job-posts/{job_post_id}/saved/{contractor_id}", status_code=204)
async def unsave_candidate(
    job_post_id: str, contractor_id: str, user: ClientUser, session: Session
) -> Response:
    """Unstar (the owner); unstarring one not starred changes nothing."""
    await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    if await _contractor_profile(session, contractor_id) is None:
        raise not_found("contractor")
    saved = await session.get(SavedCandidate, (job_post_id, contractor_id))
    if saved is not None:
        await session.delete(saved)
        await session.commit()
    return Response(status_code=204)


@router.post(
    "/job-posts/{job_post_id}/handpicked",
    response_model=CandidateOut,
    status_code=201,
    responses={200: {"description": "already handpicked"}, 403: {"description": "not ops"}},
)
async def handpick(
    job_post_id: str,
    body: HandpickIn,
    user: Caller,
    session: Session,
    now: Now,
    response: Response,
) -> CandidateOut:
    """Ops add a contractor to the job post's handpicked list (201; 200 when already there)."""
    job_post = await job_post_for_owner(session, user, job_post_id)
    if user.role != Role.OPS:
        raise HTTPException(403, "only ops may handpick candidates")
    refuse_closed(job_post)
    profile = await _contractor_profile(session, body.contractor_id)
    if profile is None:
        raise HTTPException(422, f"contractor_id {body.contractor_id!r} is not a contractor")
    if await session.get(HandpickedCandidate, (job_post_id, body.contractor_id)) is not None:
        response.status_code = 200
    else:
        session.add(
            HandpickedCandidate(
                job_post_id=job_post_id,
                contractor_id=body.contractor_id,
                added_by=user.id,
                added_at=now,
            )
        )
        try:
            await session.commit()
        except IntegrityError:  # a concurrent request added it first
            await session.rollback()
            response.status_code = 200
    return await _card(session, job_post, profile)
