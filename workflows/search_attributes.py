"""Search attributes every hiring workflow carries, so operators can find runs in the UI."""

from temporalio.common import SearchAttributeKey

JOB_POST_ID = SearchAttributeKey.for_keyword("JobPostId")
CLIENT_ID = SearchAttributeKey.for_keyword("ClientId")
CONTRACTOR_ID = SearchAttributeKey.for_keyword("ContractorId")
HIRING_STAGE = SearchAttributeKey.for_keyword("HiringStage")

ALL = (JOB_POST_ID, CLIENT_ID, CONTRACTOR_ID, HIRING_STAGE)
