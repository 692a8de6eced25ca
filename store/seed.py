"""Demo data for the dev stack: two client companies (one per plan), five contractors, an ops user.

Seeding is idempotent: rows are looked up by company name and user email and created only when
missing. Tokens are kept in a JSON file beside the database (only their hashes are in the
database), so every run prints the same working tokens; a user whose saved token no longer matches
gets a fresh one. `python -m store.seed` seeds the database of the current settings.
"""

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.tokens import hash_token, new_token
from domain.roles import Role
from store.accounts import create_company, create_contractor, create_user
from store.models import Company, User


@dataclass(frozen=True)
class DemoCompany:
    name: str
    plan: str
    billing_tz: str


@dataclass(frozen=True)
class DemoProfile:
    headline: str
    hourly_rate_cents: int
    skills: list[str]
    industries: list[str]
    languages: list[str]


@dataclass(frozen=True)
class DemoUser:
    role: Role
    name: str
    email: str
    tz: str
    company: DemoCompany | None = None
    profile: DemoProfile | None = None


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    user_id: str
    token: str
    company: str | None = field(default=None)


NORTHWIND = DemoCompany("Northwind Support Co.", plan="standard", billing_tz="America/New_York")
GLOBEX = DemoCompany("Globex Staffing Ltd.", plan="volume", billing_tz="Europe/London")

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        Role.CLIENT, "Nora Whitfield", "nora@northwind.example", "America/New_York", NORTHWIND
    ),
    DemoUser(Role.CLIENT, "Gareth Price", "gareth@globex.example", "Europe/London", GLOBEX),
    DemoUser(
        Role.CONTRACTOR,
        "Amara Okafor",
        "amara@contractors.example",
        "Africa/Lagos",
        profile=DemoProfile(
            "Customer support lead, SaaS and e-commerce",
            3500,
            ["Zendesk", "live chat", "escalations", "macros"],
            ["software", "e-commerce"],
            ["English", "French"],
        ),
    ),
    DemoUser(
        Role.CONTRACTOR,
        "Diego Fernández",
        "diego@contractors.example",
        "America/Mexico_City",
        profile=DemoProfile(
            "Bilingual sales development representative",
            4500,
            ["outbound calls", "HubSpot", "lead qualification"],
            ["software", "fintech"],
            ["English", "Spanish"],
        ),
    ),
    DemoUser(
        Role.CONTRACTOR,
        "Mei Lin",
        "mei@contractors.example",
        "Asia/Singapore",
        profile=DemoProfile(
            "Technical support engineer, APIs and integrations",
            6500,
            ["REST APIs", "SQL", "Jira", "tier-2 support"],
            ["software"],
            ["English", "Mandarin"],
        ),
    ),
    DemoUser(
        Role.CONTRACTOR,
        "Lukas Becker",
        "lukas@contractors.example",
        "Europe/Berlin",
        profile=DemoProfile(
            "Claims processing and back-office specialist",
            2800,
            ["claims intake", "data entry", "Salesforce"],
            ["insurance", "healthcare"],
            ["German", "English"],
        ),
    ),
    DemoUser(
        Role.CONTRACTOR,
        "Priya Raman",
        "priya@contractors.example",
        "Asia/Kolkata",
        profile=DemoProfile(
            "Appointment setter and virtual assistant",
            2200,
            ["scheduling", "Google Workspace", "CRM hygiene"],
            ["real estate", "healthcare"],
            ["English", "Hindi", "Tamil"],
        ),
    ),
    DemoUser(Role.OPS, "Olivia Grant", "ops@hiring.example", "UTC"),
)


def load_tokens(path: Path) -> dict[str, str]:
    """Saved tokens by email; empty when the file is missing or unreadable."""
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict):
        return {}
    return {str(email): str(token) for email, token in saved.items()}


def save_tokens(path: Path, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(tokens, indent=2, sort_keys=True) + "\n")
    partial.chmod(0o600)
    os.replace(partial, path)


async def _company(session: AsyncSession, demo: DemoCompany) -> Company:
    found = (await session.exec(select(Company).where(Company.name == demo.name))).first()
    return found or await create_company(session, demo.name, demo.plan, demo.billing_tz)


async def _user(session: AsyncSession, demo: DemoUser, saved_token: str | None) -> DemoLogin:
    company = await _company(session, demo.company) if demo.company else None
    company_id = company.id if company else None
    user = (await session.exec(select(User).where(User.email == demo.email))).first()
    if user is None:
        token = saved_token or new_token()
        if demo.profile:
            user, token = await create_contractor(
                session,
                name=demo.name,
                email=demo.email,
                hourly_rate_cents=demo.profile.hourly_rate_cents,
                industries=demo.profile.industries,
                languages=demo.profile.languages,
                skills=demo.profile.skills,
                headline=demo.profile.headline,
                tz=demo.tz,
                token=token,
            )
        else:
            user, token = await create_user(
                session,
                role=demo.role,
                name=demo.name,
                email=demo.email,
                company_id=company_id,
                tz=demo.tz,
                token=token,
            )
    elif saved_token is not None and hash_token(saved_token) == user.token_hash:
        token = saved_token
    else:
        token = new_token()
        user.token_hash = hash_token(token)
        session.add(user)
        await session.commit()
    return DemoLogin(
        demo.role, demo.name, demo.email, user.id, token, company.name if company else None
    )


async def seed_demo(db: Database, tokens_file: Path) -> list[DemoLogin]:
    """Create whatever demo rows are missing; the demo users and their working tokens."""
    saved = load_tokens(tokens_file)
    logins: list[DemoLogin] = []
    async with db.session() as session:
        for demo in DEMO_USERS:
            logins.append(await _user(session, demo, saved.get(demo.email)))
    save_tokens(tokens_file, {login.email: login.token for login in logins})
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    rows = [
        (
            login.role,
            login.name + (f" ({login.company})" if login.company else ""),
            login.email,
            login.token,
        )
        for login in logins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        f"  {role:<{widths[0]}}  {who:<{widths[1]}}  {email:<{widths[2]}}  {token}"
        for role, who, email, token in rows
    )


if __name__ == "__main__":
    from core.settings import get_settings

    async def _main() -> None:
        settings = get_settings()
        db = Database(settings.database_url)
        try:
            logins = await seed_demo(db, Path(settings.demo_tokens_file))
        finally:
            await db.dispose()
        print(format_logins(logins))

    asyncio.run(_main())
