"""Keeping scorecards: one row per panel member and interview, replaced by a later one."""

from typing import Any

from temporalio import activity

from contracts import hiring as interface
from contracts.hiring import SavedScorecard, SaveScorecard
from core.db import Database
from domain.scorecards import Rating
from store.models import Scorecard
from store.upsert import upsert


class ScorecardActivities(interface.ScorecardActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.save_scorecard]

    @activity.defn
    async def save_scorecard(self, request: SaveScorecard) -> SavedScorecard:
        """Insert, or overwrite the member's earlier scorecard (the workflow sends one member's
        scorecards for one interview one after the other, so a retry simply writes again)."""
        submission = request.submission
        await upsert(
            self.db,
            Scorecard,
            {
                "interview_id": submission.interview_id,
                "panel_member_id": submission.panel_member_id,
            },
            {
                "rating": submission.rating.value,
                "notes": submission.notes,
                "updated_at": request.at,
            },
            on_insert={
                "candidacy_id": request.candidacy_id,
                "job_post_id": request.job_post_id,
                "company_id": request.company_id,
                "contractor_id": request.contractor_id,
                "round": request.round,
                "submitted_at": request.at,
            },
        )
        async with self.db.session() as session:
            row = await session.get(
                Scorecard, (submission.interview_id, submission.panel_member_id)
            )
        assert row is not None
        return SavedScorecard(
            interview_id=row.interview_id,
            candidacy_id=row.candidacy_id,
            round=row.round,
            panel_member_id=row.panel_member_id,
            rating=Rating(row.rating),
            notes=row.notes,
            submitted_at=row.submitted_at,
            updated_at=row.updated_at,
        )
