from fastapi import APIRouter

from api.deps import Caller
from api.schemas import UserOut

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserOut)
async def me(user: Caller) -> UserOut:
    """The caller."""
    return UserOut(
        id=user.id, role=user.role, name=user.name, company_id=user.company_id, tz=user.tz
    )
