"""Search attributes every hiring workflow carries, so operators can find runs in the UI."""

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

JOB_POST_ID = SearchAttributeKey.for_keyword("JobPostId")
CLIENT_ID = SearchAttributeKey.for_keyword("ClientId")
CONTRACTOR_ID = SearchAttributeKey.for_keyword("ContractorId")
HIRING_STAGE = SearchAttributeKey.for_keyword("HiringStage")

ALL = (JOB_POST_ID, CLIENT_ID, CONTRACTOR_ID, HIRING_STAGE)


def for_candidacy(
    job_post_id: str, company_id: str, contractor_id: str, stage: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(JOB_POST_ID, job_post_id),
            SearchAttributePair(CLIENT_ID, company_id),
            SearchAttributePair(CONTRACTOR_ID, contractor_id),
            SearchAttributePair(HIRING_STAGE, stage),
        ]
    )


def for_job_post(job_post_id: str, company_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(JOB_POST_ID, job_post_id),
            SearchAttributePair(CLIENT_ID, company_id),
        ]
    )
