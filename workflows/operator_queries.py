"""The questions operators ask of the runs, each one list query (Temporal's visibility syntax),
as shown in README's "Finding runs": `temporal workflow list --query '<query>'` or the UI's
search box."""

from datetime import UTC, datetime, timedelta

OFFER_WINDOW = timedelta(hours=48)


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decisions_overdue(now: datetime) -> str:
    """Candidacies waiting on a client decision past its due moment."""
    return f'HiringStage = "decision_pending" AND DueAt < "{_at(now)}"'


def offers_expiring(now: datetime, within: timedelta = OFFER_WINDOW) -> str:
    """Offers awaiting an answer that expire within the next 48 h."""
    return (
        f'WorkflowType = "OfferWorkflow" AND DueAt BETWEEN "{_at(now)}" AND "{_at(now + within)}"'
    )


def interviews_booked_between(start: datetime, end: datetime) -> str:
    """Interviews whose booked slot starts between two instants."""
    return f'InterviewStartAt BETWEEN "{_at(start)}" AND "{_at(end)}"'


def rounds_short_of_slots() -> str:
    """Rounds whose slots ran short and reached ops (until the client adds slots)."""
    return 'ExecutionStatus = "Running" AND SlotsShortSince IS NOT NULL'


def reviews_awaited() -> str:
    """Engagements with a week awaiting the client's review."""
    return (
        'WorkflowType = "EngagementWorkflow" AND ExecutionStatus = "Running" AND DueAt IS NOT NULL'
    )


def about_contractor(contractor_id: str) -> str:
    """Everything about one contractor: candidacies, interviews, offers, engagements, messages."""
    return f'ContractorId = "{contractor_id}"'


def about_job_post(job_post_id: str) -> str:
    """Everything about one job post: its candidacies and their steps, slot pools, its close."""
    return f'JobPostId = "{job_post_id}"'
