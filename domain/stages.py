"""The stages of a candidacy (PRODUCT.md, "Job posts and candidates")."""

from enum import StrEnum


class Stage(StrEnum):
    APPLIED = "applied"
    SHORTLISTED = "shortlisted"
    INTERVIEWING = "interviewing"
    DECISION_PENDING = "decision_pending"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    OFFER_DECLINED = "offer_declined"
    OFFER_EXPIRED = "offer_expired"


TERMINAL_STAGES = frozenset(
    {
        Stage.HIRED,
        Stage.REJECTED,
        Stage.WITHDRAWN,
        Stage.CLOSED,
        Stage.OFFER_DECLINED,
        Stage.OFFER_EXPIRED,
    }
)


def is_terminal(stage: Stage) -> bool:
    return stage in TERMINAL_STAGES
