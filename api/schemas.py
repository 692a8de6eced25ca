"""Response models shared by several routers."""

from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    page: int
    per_page: int


class UserOut(BaseModel):
    id: str
    role: str
    name: str
    company_id: str | None
    tz: str
