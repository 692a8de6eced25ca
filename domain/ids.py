"""Readable, personal-data-free identifiers for rows and workflows."""

import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str, length: int = 10) -> str:
    """`jp_4k8s0d2m1q`: a type prefix and random lowercase characters, no hyphens."""
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def candidacy_workflow_id(job_post_id: str, contractor_id: str) -> str:
    return f"candidacy-{job_post_id}-{contractor_id}"


def interview_workflow_id(job_post_id: str, contractor_id: str, round_number: int) -> str:
    return f"interview-{job_post_id}-{contractor_id}-r{round_number}"


def slot_pool_workflow_id(job_post_id: str, round_number: int) -> str:
    return f"slots-{job_post_id}-r{round_number}"


def parse_interview_workflow_id(interview_id: str) -> tuple[str, str, int] | None:
    """(job post id, contractor id, round) of an interview id, or None when it is not one."""
    parts = interview_id.split("-")
    if len(parts) != 4 or parts[0] != "interview" or not parts[3].startswith("r"):
        return None
    try:
        return parts[1], parts[2], int(parts[3][1:])
    except ValueError:
        return None


def parse_candidacy_workflow_id(candidacy_id: str) -> tuple[str, str] | None:
    parts = candidacy_id.split("-")
    if len(parts) != 3 or parts[0] != "candidacy":
        return None
    return parts[1], parts[2]


def job_post_close_workflow_id(job_post_id: str) -> str:
    return f"close-{job_post_id}"
