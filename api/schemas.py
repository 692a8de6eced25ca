"""Response models shared by several routers, the error model, paging and the bounds on numbers
a caller sends."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel, Field

from domain.plans import ALLOWED_DURATIONS, MAX_ROUNDS

Item = TypeVar("Item")

# Bounds on the numbers a caller sends: each fits a 64-bit column, and so does any product the
# product makes of them (a rate times hours in hundredths, a page times its size).
MAX_PAGE = 10_000
MAX_RATE_CENTS = 1_000_000  # an hourly rate or budget: 10,000.00 in the currency
MAX_VERSION = 10_000  # an offer's version
MAX_WEEK = 5_200  # an engagement's week number (a hundred years)

# "screening 15/20/30, technical 45/60, ...": for the schema's descriptions
ROUND_DURATIONS = ", ".join(
    f"{kind.value} {'/'.join(str(d) for d in durations)}"
    for kind, durations in ALLOWED_DURATIONS.items()
)
SHORTEST_ROUND_MINUTES = min(min(d) for d in ALLOWED_DURATIONS.values())
LONGEST_ROUND_MINUTES = max(max(d) for d in ALLOWED_DURATIONS.values())

RoundNumber = Annotated[
    int, Path(ge=1, le=MAX_ROUNDS, description="the round's number in the interview plan, from 1")
]
WeekNumber = Annotated[
    int, Path(ge=1, le=MAX_WEEK, description="the engagement's week, from 1 (its start date)")
]


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(
    per_page: int = 20, max_per_page: int = 100
) -> Callable[..., Coroutine[Any, Any, PageRequest]]:
    """The `page` and `per_page` query parameters of a list, both bounded."""
    default_per_page = per_page

    async def page_request(
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
        per_page: Annotated[
            int, Query(ge=1, le=max_per_page, description="items per page")
        ] = default_per_page,
    ) -> PageRequest:
        return PageRequest(page, per_page)

    return page_request


Paging = Annotated[PageRequest, Depends(paging())]


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where: body, query, path or header, then the field")
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error: a message for people in `detail`; invalid input also lists each field."""

    detail: str = Field(description="what went wrong, in a sentence")
    errors: list[FieldError] = Field(
        default_factory=list,
        description="for invalid input (422): one entry per invalid field",
    )


class UserOut(BaseModel):
    id: str
    role: str
    name: str
    company_id: str | None
    tz: str
