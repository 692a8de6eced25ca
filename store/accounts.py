"""Creating companies, users and contractor profiles (the demo seed and tests use these)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from core.tokens import hash_token, new_token
from domain.ids import new_id
from domain.roles import Role
from store.models import Company, ContractorProfile, User


async def create_company(
    session: AsyncSession, name: str, plan: str = "standard", billing_tz: str = "UTC"
) -> Company:
    company = Company(id=new_id("co"), name=name, plan=plan, billing_tz=billing_tz)
    session.add(company)
    await session.commit()
    return company


async def create_user(
    session: AsyncSession,
    *,
    role: str,
    name: str,
    email: str,
    company_id: str | None = None,
    tz: str = "UTC",
    token: str | None = None,
) -> tuple[User, str]:
    """The user and their bearer token (only its hash is stored)."""
    token = token or new_token()
    user = User(
        id=new_id("u"),
        role=role,
        company_id=company_id,
        name=name,
        email=email,
        tz=tz,
        token_hash=hash_token(token),
    )
    session.add(user)
    await session.commit()
    return user, token


async def create_contractor(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    hourly_rate_cents: int,
    industries: list[str],
    languages: list[str],
    skills: list[str] | None = None,
    headline: str = "",
    tz: str = "UTC",
    token: str | None = None,
) -> tuple[User, str]:
    user, token = await create_user(
        session, role=Role.CONTRACTOR, name=name, email=email, tz=tz, token=token
    )
    session.add(
        ContractorProfile(
            user_id=user.id,
            headline=headline,
            skills=skills or [],
            industries=industries,
            languages=languages,
            hourly_rate_cents=hourly_rate_cents,
        )
    )
    await session.commit()
    return user, token
