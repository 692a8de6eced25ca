"""The store on both databases (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set): the
migrations build every table of the models, rows round-trip (JSON columns, aware UTC times),
unique constraints hold. (Who books a slot is decided by the round's slot pool:
tests/workflows/test_slot_pool.py.)"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel, select

from core.db import Database, sync_url
from domain.ids import new_id
from domain.plans import Assessment, Round, RoundKind
from store.accounts import create_company, create_contractor, create_user
from store.migrate import alembic_config, upgrade
from store.models import (
    Candidacy,
    Company,
    ContractorProfile,
    JobPost,
    LedgerEntry,
    Notification,
    Slot,
    User,
)

NEW_YORK = ZoneInfo("America/New_York")


async def _company_and_owner(db: Database) -> tuple[Company, User]:
    suffix = new_id("t")
    async with db.session() as session:
        company = await create_company(session, f"Company {suffix}", "volume", "Europe/Paris")
        owner, _ = await create_user(
            session,
            role="client",
            name="Owner",
            email=f"owner-{suffix}@example.com",
            company_id=company.id,
        )
    return company, owner


async def _contractor(db: Database) -> User:
    async with db.session() as session:
        user, _ = await create_contractor(
            session,
            name="Ana",
            email=f"{new_id('c')}@example.com",
            hourly_rate_cents=4500,
            industries=["fintech"],
            languages=["English", "Español"],
        )
    return user


async def _job_post(db: Database, company: Company, owner: User, **fields: object) -> JobPost:
    job_post = JobPost(
        id=new_id("jp"),
        company_id=company.id,
        owner_id=owner.id,
        title="Support lead",
        budget_min_cents=3000,
        budget_max_cents=5000,
        industry="software",
        created_at=datetime.now(UTC),
        **fields,  # type: ignore[arg-type]
    )
    async with db.session() as session:
        session.add(job_post)
        await session.commit()
    return job_post


# --- migrations -------------------------------------------------------------------------------


def test_migrations_apply_and_build_every_table_of_the_models(database_url: str) -> None:
    upgrade(database_url)  # a second run, after the fixture's: nothing to do, no error
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert current == head
            tables = set(inspect(connection).get_table_names())
            assert set(SQLModel.metadata.tables) <= tables
            differences = compare_metadata(
                MigrationContext.configure(connection), SQLModel.metadata
            )
            assert differences == [], "the models changed without a migration: " + repr(differences)
    finally:
        engine.dispose()


# --- round trips ------------------------------------------------------------------------------


async def test_companies_users_and_profiles_round_trip(db: Database) -> None:
    company, owner = await _company_and_owner(db)
    contractor = await _contractor(db)
    async with db.session() as session:
        stored = await session.get(Company, company.id)
        stored.holidays = ["2026-12-25", "2027-01-01"]  # type: ignore[union-attr]
        session.add(stored)
        await session.commit()

    async with db.session() as session:
        company_back = await session.get(Company, company.id)
        owner_back = await session.get(User, owner.id)
        profile = await session.get(ContractorProfile, contractor.id)

    assert company_back is not None and owner_back is not None and profile is not None
    assert (company_back.plan, company_back.billing_tz) == ("volume", "Europe/Paris")
    assert company_back.holidays == ["2026-12-25", "2027-01-01"]
    assert (owner_back.role, owner_back.company_id) == ("client", company.id)
    assert len(owner_back.token_hash) == 64
    assert profile.industries == ["fintech"]
    assert profile.languages == ["English", "Español"]
    assert (profile.hourly_rate_cents, profile.currency) == (4500, "USD")


async def test_job_post_with_plan_and_aware_times_round_trips(db: Database) -> None:
    company, owner = await _company_and_owner(db)
    plan = [
        Round(kind=RoundKind.SCREENING, duration_minutes=20).model_dump(mode="json"),
        Round(
            kind=RoundKind.PROJECT_DEEP_DIVE,
            duration_minutes=45,
            assessment=Assessment(instructions="Build a «ledger»", due_days=4),
        ).model_dump(mode="json"),
    ]
    # 09:30:15.123456 in New York during DST is 13:30:15.123456 UTC.
    closed_at = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=NEW_YORK)
    job_post = await _job_post(
        db,
        company,
        owner,
        languages=["English", "Português"],
        interview_plan=plan,
        status="closed",
        closed_at=closed_at,
    )

    async with db.session() as session:
        back = await session.get(JobPost, job_post.id)

    assert back is not None
    assert back.interview_plan == plan
    assert [Round.model_validate(r) for r in back.interview_plan][1].assessment == Assessment(
        instructions="Build a «ledger»", due_days=4
    )
    assert back.languages == ["English", "Português"]
    assert back.closed_at == closed_at
    assert back.closed_at is not None and back.closed_at.tzinfo == UTC
    assert back.closed_at.replace(tzinfo=None) == datetime(2026, 7, 1, 13, 30, 15, 123456)
    assert back.created_at.tzinfo == UTC


async def test_aware_utc_times_compare_in_queries(db: Database) -> None:
    """A filter with a time in another zone selects by the instant, not the wall clock."""
    company, owner = await _company_and_owner(db)
    job_post = await _job_post(db, company, owner)
    start = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)
    async with db.session() as session:
        session.add(
            Slot(
                id=new_id("sl"),
                job_post_id=job_post.id,
                round=1,
                start=start,
                end=start + timedelta(minutes=30),
                created_at=datetime.now(UTC),
            )
        )
        await session.commit()
        just_before = start.astimezone(NEW_YORK) - timedelta(seconds=1)  # 11:59:59 in New York
        found = (
            await session.exec(
                select(Slot).where(Slot.job_post_id == job_post.id, Slot.start > just_before)
            )
        ).all()
        too_late = (
            await session.exec(
                select(Slot).where(
                    Slot.job_post_id == job_post.id, Slot.start > start.astimezone(NEW_YORK)
                )
            )
        ).all()
    assert [s.start for s in found] == [start]
    assert too_late == []


async def test_naive_datetimes_are_refused(db: Database) -> None:
    company, owner = await _company_and_owner(db)
    with pytest.raises(StatementError, match="naive datetime"):
        await _job_post(db, company, owner, closed_at=datetime(2026, 7, 1, 9, 30))


# --- unique constraints -----------------------------------------------------------------------


async def _insert_twice(db: Database, first: SQLModel, second: SQLModel) -> None:
    async with db.session() as session:
        session.add(first)
        await session.commit()
    async with db.session() as session:
        session.add(second)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_one_candidacy_per_job_post_and_contractor(db: Database) -> None:
    company, owner = await _company_and_owner(db)
    contractor = await _contractor(db)
    job_post = await _job_post(db, company, owner)
    now = datetime.now(UTC)

    def candidacy(candidacy_id: str, source: str) -> Candidacy:
        return Candidacy(
            id=candidacy_id,
            job_post_id=job_post.id,
            company_id=company.id,
            contractor_id=contractor.id,
            source=source,
            stage="applied",
            created_at=now,
            updated_at=now,
        )

    await _insert_twice(db, candidacy("candidacy-a", "applied"), candidacy("other-id", "invited"))


async def test_one_notification_per_user_and_event_key(db: Database) -> None:
    _, owner = await _company_and_owner(db)

    def notification() -> Notification:
        return Notification(
            id=new_id("nt"),
            user_id=owner.id,
            event_key="candidacy-jp_x-u_y:shortlisted",
            kind="shortlisted",
            subject="s",
            body_text="t",
            body_html="<p>t</p>",
            created_at=datetime.now(UTC),
        )

    await _insert_twice(db, notification(), notification())
    other_user = (await _company_and_owner(db))[1]
    other = notification()
    other.user_id = other_user.id
    async with db.session() as session:  # the same event for someone else is another row
        session.add(other)
        await session.commit()


async def test_ledger_idempotency_key_is_unique(db: Database) -> None:
    company, _ = await _company_and_owner(db)
    contractor = await _contractor(db)
    key = f"seat_fee:engagement-{new_id('x')}:2026-11"

    def entry(amount_cents: int) -> LedgerEntry:
        return LedgerEntry(
            id=new_id("le"),
            engagement_id="engagement-x",
            company_id=company.id,
            contractor_id=contractor.id,
            kind="seat_fee",
            period="2026-11",
            amount_cents=amount_cents,
            idempotency_key=key,
            effective_on="2026-11-21",
            created_at=datetime.now(UTC),
        )

    await _insert_twice(db, entry(8000), entry(8000))
