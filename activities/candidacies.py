"""The candidacy list projection: what lists read, written from the workflow's stage changes."""

from typing import Any

from sqlmodel import col
from temporalio import activity

from contracts import hiring as interface
from contracts.hiring import CandidacyProjection
from core.db import Database
from store.models import Candidacy
from store.upsert import upsert


class CandidacyActivities(interface.CandidacyActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.project_candidacy]

    @activity.defn
    async def project_candidacy(self, projection: CandidacyProjection) -> None:
        """Upsert the row; an older version (a late retry) never overwrites a newer one."""
        await upsert(
            self.db,
            Candidacy,
            {"id": projection.candidacy_id},
            {
                "stage": projection.stage,
                "round": projection.round,
                "updated_at": projection.at,
                "version": projection.version,
            },
            newer=col(Candidacy.version) < projection.version,
            on_insert={
                "job_post_id": projection.job_post_id,
                "company_id": projection.company_id,
                "contractor_id": projection.contractor_id,
                "source": projection.source,
                "rounds_total": projection.rounds_total,
                "created_at": projection.at,
            },
        )
