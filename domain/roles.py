"""Who a user is to the marketplace; stored as these strings on `User.role`."""

from enum import StrEnum


class Role(StrEnum):
    CLIENT = "client"  # works for a company: posts jobs, interviews, hires
    CONTRACTOR = "contractor"
    OPS = "ops"  # the marketplace's own staff
