"""The side effects of closing a job post: listing its open candidacies, ending them through
their workflows' `close` update, withdrawing its open slots, and the close's progress on the row
that `GET /job-posts/{id}` reads."""

import asyncio
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from temporalio import activity

from contracts import job_post_close as interface
from contracts.job_post_close import CloseProgress, EndCandidacies
from core.db import Database
from domain.stages import TERMINAL_STAGES
from store.models import Candidacy, JobPost
from workflows.candidacy_close_client import close_candidacies
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import pool_start, update_slot_pool


class JobPostCloseActivities(interface.JobPostCloseActivities):
    def __init__(self, db: Database) -> None:
        self.db = db

    def activities(self) -> list[Any]:
        return [
            self.open_candidacy_ids,
            self.end_candidacies,
            self.withdraw_open_slots,
            self.project_close,
        ]

    @activity.defn
    async def open_candidacy_ids(self, job_post_id: str) -> list[str]:
        """The post's candidacies not yet in a terminal stage, oldest first."""
        async with self.db.session() as session:
            rows = await session.exec(
                select(Candidacy.id)
                .where(
                    Candidacy.job_post_id == job_post_id,
                    col(Candidacy.stage).not_in([s.value for s in TERMINAL_STAGES]),
                )
                .order_by(col(Candidacy.created_at), col(Candidacy.id))
            )
            return list(rows)

    @activity.defn
    async def end_candidacies(self, batch: EndCandidacies) -> int:
        """Close every candidacy of the batch at once; answers how many this call ended (the
        others had ended on their own)."""
        return await close_candidacies(activity.client(), batch.job_post_id, batch.candidacy_ids)

    @activity.defn
    async def withdraw_open_slots(self, job_post_id: str) -> int:
        """Close every round's slot pool: its open slots are withdrawn and it takes no more
        claims (booked ones are withdrawn as their interviews end); answers how many."""
        async with self.db.session() as session:
            job_post = await session.get(JobPost, job_post_id)
        if job_post is None:
            return 0
        client = activity.client()
        withdrawn = await asyncio.gather(
            *(
                update_slot_pool(
                    client,
                    activity.info().task_queue,
                    pool_start(job_post.id, number, job_post.owner_id, job_post.company_id),
                    SlotPoolWorkflow.close_round,
                )
                for number in range(1, len(job_post.interview_plan) + 1)
            )
        )
        return sum(withdrawn)

    @activity.defn
    async def project_close(self, progress: CloseProgress) -> None:
        """Show the close's progress on the job post's row."""
        async with self.db.session() as session:
            await session.exec(
                update(JobPost)
                .where(col(JobPost.id) == progress.job_post_id)
                .values(closing=progress.model_dump(mode="json"))
            )
            await session.commit()
