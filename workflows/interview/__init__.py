"""InterviewWorkflow: one round's interview of one candidacy (workflow.py tells its story)."""

from workflows.interview.patches import CLAIM_WHILE_WAITING_PATCH
from workflows.interview.scheduling import UNAVAILABLE
from workflows.interview.workflow import InterviewWorkflow

__all__ = ["CLAIM_WHILE_WAITING_PATCH", "UNAVAILABLE", "InterviewWorkflow"]
