"""Search attributes the hiring workflows carry, so operators can find runs in the UI and the CLI.

Every run carries the ids it is about (JobPostId, ClientId, ContractorId where there is one). Each
workflow type keeps its own status current on every change (a candidacy its HiringStage, an
interview its InterviewStatus, ...) and the deadline operators chase while it is open (unset once
it no longer applies). They hold ids, statuses and instants only: never personal data.

The questions operators ask, each one list query, are in `workflows/operator_queries.py`.
"""

from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

JOB_POST_ID = SearchAttributeKey.for_keyword("JobPostId")
CLIENT_ID = SearchAttributeKey.for_keyword("ClientId")
CONTRACTOR_ID = SearchAttributeKey.for_keyword("ContractorId")
# The candidacy's stage (CandidacyWorkflow only).
HIRING_STAGE = SearchAttributeKey.for_keyword("HiringStage")
INTERVIEW_STATUS = SearchAttributeKey.for_keyword("InterviewStatus")
OFFER_STATUS = SearchAttributeKey.for_keyword("OfferStatus")
ENGAGEMENT_STATUS = SearchAttributeKey.for_keyword("EngagementStatus")
CLOSE_STATUS = SearchAttributeKey.for_keyword("JobPostCloseStatus")
# The deadline operators chase on the run, while it applies (unset otherwise): a candidacy's
# client decision on the current round is due; an offer's current version expires; an
# engagement's earliest week awaiting the client's review closes its review window. (One
# attribute for all three: SQL visibility stores take at most 3 Datetime attributes.)
DUE_AT = SearchAttributeKey.for_datetime("DueAt")
# When the booked interview starts (while it is booked).
INTERVIEW_START_AT = SearchAttributeKey.for_datetime("InterviewStartAt")
# Since when a round's slots are short with ops alerted (until the client adds slots).
SLOTS_SHORT_SINCE = SearchAttributeKey.for_datetime("SlotsShortSince")

ALL = (
    JOB_POST_ID,
    CLIENT_ID,
    CONTRACTOR_ID,
    HIRING_STAGE,
    INTERVIEW_STATUS,
    OFFER_STATUS,
    ENGAGEMENT_STATUS,
    CLOSE_STATUS,
    DUE_AT,
    INTERVIEW_START_AT,
    SLOTS_SHORT_SINCE,
)

# Running workflows started before their status was kept current upsert nothing new.
STATUS_PATCH = "status-search-attributes"


def server_type(key: SearchAttributeKey[Any]) -> str:
    """The type's name as the server's `--search-attribute` flag and CLI spell it."""
    return {"KEYWORD": "Keyword", "DATETIME": "Datetime"}[key.indexed_value_type.name]


def _ids(job_post_id: str, company_id: str, contractor_id: str) -> list[SearchAttributePair[Any]]:
    return [
        SearchAttributePair(JOB_POST_ID, job_post_id),
        SearchAttributePair(CLIENT_ID, company_id),
        SearchAttributePair(CONTRACTOR_ID, contractor_id),
    ]


def for_candidacy(
    job_post_id: str, company_id: str, contractor_id: str, stage: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [*_ids(job_post_id, company_id, contractor_id), SearchAttributePair(HIRING_STAGE, stage)]
    )


def for_interview(job_post_id: str, company_id: str, contractor_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(_ids(job_post_id, company_id, contractor_id))


def for_offer(
    job_post_id: str, company_id: str, contractor_id: str, status: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [*_ids(job_post_id, company_id, contractor_id), SearchAttributePair(OFFER_STATUS, status)]
    )


def for_engagement(
    job_post_id: str, company_id: str, contractor_id: str, status: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            *_ids(job_post_id, company_id, contractor_id),
            SearchAttributePair(ENGAGEMENT_STATUS, status),
        ]
    )


def for_job_post(job_post_id: str, company_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(JOB_POST_ID, job_post_id),
            SearchAttributePair(CLIENT_ID, company_id),
        ]
    )


def moment(key: SearchAttributeKey[datetime], at: datetime | None) -> SearchAttributeUpdate[Any]:
    """Set a deadline attribute, or unset it when there is none."""
    return key.value_unset() if at is None else key.value_set(at)


def keep_current(updates: list[SearchAttributeUpdate[Any]]) -> None:
    """Upsert the run's status and deadline, only what changed (an upsert is a command in the
    history), and nothing in a run started before statuses were kept current."""
    current = workflow.info().typed_search_attributes
    changed = [u for u in updates if u.value != current.get(u.key)]
    if changed and workflow.patched(STATUS_PATCH):
        values = [u for u in changed if u.value is not None]
        if values:
            workflow.upsert_search_attributes(values)
        if unset := [u.key.name for u in changed if u.value is None]:
            # An empty list unsets: the typed API's unset writes a null, which some servers keep
            # and a later `describe` cannot read back as a datetime.
            workflow.upsert_search_attributes({name: [] for name in unset})
