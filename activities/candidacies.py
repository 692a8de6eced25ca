"""The candidacy list projection: what lists read, written from the workflow's stage changes."""

from typing import Any

from sqlalchemy import update
from temporalio import activity

from contracts import hiring as interface
from contracts.hiring import CandidacyProjection
from core.db import Database
from store.models import Candidacy


class CandidacyActivities(interface.CandidacyActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [self.project_candidacy]

    @activity.defn
    async def project_candidacy(self, projection: CandidacyProjection) -> None:
        """Upsert the row; an older version (a late retry) never overwrites a newer one."""
        async with self.db.session() as session:
            row = await session.get(Candidacy, projection.candidacy_id)
            if row is None:
                session.add(
                    Candidacy(
                        id=projection.candidacy_id,
                        job_post_id=projection.job_post_id,
                        company_id=projection.company_id,
                        contractor_id=projection.contractor_id,
                        source=projection.source,
                        stage=projection.stage,
                        round=projection.round,
                        rounds_total=projection.rounds_total,
                        created_at=projection.at,
                        updated_at=projection.at,
                        version=projection.version,
                    )
                )
            else:
                await session.exec(
                    update(Candidacy)
                    .where(Candidacy.id == projection.candidacy_id)  # type: ignore[arg-type]
                    .where(Candidacy.version < projection.version)  # type: ignore[arg-type]
                    .values(
                        stage=projection.stage,
                        round=projection.round,
                        updated_at=projection.at,
                        version=projection.version,
                    )
                )
            await session.commit()
