"""Inputs, outputs and progress of JobPostCloseWorkflow (what the API, the workflow and its
activities exchange)."""

from abc import ABC, abstractmethod
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from temporalio import activity


class CloseStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"  # a batch ran out of retries: closing the post again resumes it


class CloseStart(BaseModel):
    job_post_id: str
    company_id: str
    requested_at: datetime  # when the owner closed the post (the API's clock)


class CloseProgress(BaseModel):
    """How far a job post's close has come. Candidacy counts are unknown (null) until the close
    has listed the post's open candidacies."""

    job_post_id: str
    status: CloseStatus = CloseStatus.RUNNING
    candidacies_total: int | None = Field(
        default=None, description="open candidacies when the close listed them"
    )
    candidacies_ended: int = Field(default=0, description="of those, how many are over now")
    candidacies_remaining: int | None = Field(default=None, description="still to be ended")
    slots_withdrawn: int = Field(default=0, description="open slots the close withdrew")
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = Field(default=None, description="why a failed close stopped")


class EndCandidacies(BaseModel):
    """One batch: close these candidacies' workflows, all at once."""

    job_post_id: str
    candidacy_ids: list[str]


class JobPostCloseActivities(ABC):
    """The close's steps (activities/job_posts.py)."""

    @activity.defn
    @abstractmethod
    async def open_candidacy_ids(self, job_post_id: str) -> list[str]: ...

    @activity.defn
    @abstractmethod
    async def end_candidacies(self, batch: EndCandidacies) -> int: ...

    @activity.defn
    @abstractmethod
    async def withdraw_open_slots(self, job_post_id: str) -> int: ...

    @activity.defn
    @abstractmethod
    async def project_close(self, progress: CloseProgress) -> None: ...
