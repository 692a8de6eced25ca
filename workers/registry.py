"""What the worker runs. A new workflow or activity class is added here, and only here."""

from typing import Any, Protocol

from core.db import Database
from core.settings import Settings


class ActivityGroup(Protocol):
    def activities(self) -> list[Any]: ...


def workflow_classes() -> list[type]:
    from workflows.candidacy import CandidacyWorkflow
    from workflows.deliveries import DeliveriesWorkflow
    from workflows.engagement import EngagementWorkflow
    from workflows.interview import InterviewWorkflow
    from workflows.job_post_close import JobPostCloseWorkflow
    from workflows.message_relay import MessageRelayWorkflow
    from workflows.offer import OfferWorkflow
    from workflows.slot_pool import SlotPoolWorkflow

    return [
        CandidacyWorkflow,
        InterviewWorkflow,
        MessageRelayWorkflow,
        DeliveriesWorkflow,
        OfferWorkflow,
        EngagementWorkflow,
        SlotPoolWorkflow,
        JobPostCloseWorkflow,
    ]


def pool_workflow_classes() -> list[type]:
    """Run on a task queue of their own (workflows.slot_pool_client.pool_task_queue)."""
    from workflows.slot_pool import SlotPoolWorkflow

    return [SlotPoolWorkflow]


def activity_instances(db: Database, settings: Settings) -> list[ActivityGroup]:
    from activities.candidacies import CandidacyActivities
    from activities.deliveries import DeliveryActivities
    from activities.engagements import EngagementActivities
    from activities.invites import InviteActivities
    from activities.job_posts import JobPostCloseActivities
    from activities.ledger import LedgerActivities
    from activities.messages import MessageActivities
    from activities.notify import NotifyActivities
    from activities.offer_endings import OfferEndingActivities
    from activities.scorecards import ScorecardActivities
    from activities.slot_pool import SlotPoolActivities
    from activities.slots import SlotActivities

    return [
        CandidacyActivities(db),
        DeliveryActivities(),
        EngagementActivities(db),
        LedgerActivities(db),
        MessageActivities(db, settings),
        NotifyActivities(db, settings),
        OfferEndingActivities(db, settings),
        ScorecardActivities(db),
        SlotActivities(db),
        SlotPoolActivities(db, settings),
        InviteActivities(db, settings),
        JobPostCloseActivities(db),
    ]
