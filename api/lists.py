"""What every list route does alike: which rows the caller may see, how many match in all, and
one page of them."""

from typing import Any, TypeVar

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from api.schemas import PageRequest
from domain.roles import Role
from store.models import User

Row = TypeVar("Row")


def visible_to(user: User, statement: SelectOfScalar[Row], model: Any) -> SelectOfScalar[Row]:
    """The rows of `model` (with `company_id` and `contractor_id`) the caller may see: their
    company's (client), their own (contractor), all (ops)."""
    if user.role == Role.CLIENT:
        return statement.where(model.company_id == user.company_id)
    if user.role == Role.CONTRACTOR:
        return statement.where(model.contractor_id == user.id)
    return statement


async def total_of(session: AsyncSession, statement: SelectOfScalar[Any]) -> int:
    """How many rows the list matches, over all its pages."""
    total: int = (await session.exec(select(func.count()).select_from(statement.subquery()))).one()
    return total


def page_of(statement: SelectOfScalar[Row], paging: PageRequest) -> SelectOfScalar[Row]:
    return statement.offset(paging.offset).limit(paging.per_page)
