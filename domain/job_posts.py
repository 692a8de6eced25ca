"""A job post's own status: open to applications and claims until its client closes it."""

from enum import StrEnum


class JobPostStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
