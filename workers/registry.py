"""What the worker runs. A new workflow or activity class is added here, and only here."""

from typing import Any, Protocol

from store.db import Database
from workers.settings import Settings


class ActivityGroup(Protocol):
    def activities(self) -> list[Any]: ...


def workflow_classes() -> list[type]:
    from workflows.candidacy import CandidacyWorkflow
    from workflows.interview import InterviewWorkflow

    return [CandidacyWorkflow, InterviewWorkflow]


def activity_instances(db: Database, settings: Settings) -> list[ActivityGroup]:
    from activities.candidacies import CandidacyActivities
    from activities.notify import NotifyActivities
    from activities.slots import SlotActivities

    return [
        CandidacyActivities(db),
        NotifyActivities(db, settings),
        SlotActivities(db),
    ]
