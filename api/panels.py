"""Interview panels: the client users of a job post's company who interview and send scorecards."""

from fastapi import HTTPException
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.roles import Role
from domain.scorecards import panel_or_requester
from store.models import User


async def interview_panel(
    session: AsyncSession, company_id: str, panel: list[str] | None, requester_id: str
) -> list[str]:
    """The panel as named (each member once), or the requester alone; 422 naming every id that is
    not a client user of the company."""
    members = panel_or_requester(panel, requester_id)
    found = await session.exec(
        select(User.id).where(
            col(User.id).in_(members), User.role == Role.CLIENT, User.company_id == company_id
        )
    )
    known = set(found)
    strangers = [member for member in members if member not in known]
    if strangers:
        raise HTTPException(
            422, f"panel: not client users of this job post's company: {', '.join(strangers)}"
        )
    return members
