"""The real API and worker around a Temporal test environment, driven over HTTP."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from core.db import Database
from core.settings import Settings
from store.accounts import create_company, create_contractor, create_user
from tests.mail import MailServer
from workers.worker import create_worker


@dataclass
class Actor:
    id: str
    token: str
    email: str
    company_id: str | None = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Stack:
    env: WorkflowEnvironment
    http: httpx.AsyncClient
    db: Database
    settings: Settings
    mail: MailServer

    async def client_user(
        self, plan: str = "standard", billing_tz: str = "UTC", tz: str | None = None
    ) -> Actor:
        """A client in a company of its own."""
        async with self.db.session() as session:
            name = f"Company {uuid.uuid4().hex[:8]}"
            company = await create_company(session, name, plan, billing_tz)
        return await self.user("client", "Client", company.id, tz or billing_tz)

    async def colleague(self, of: Actor) -> Actor:
        """Another client user of the same company."""
        return await self.user("client", "Colleague", of.company_id)

    async def contractor(
        self,
        rate_cents: int = 4000,
        industries: list[str] | None = None,
        languages: list[str] | None = None,
        tz: str = "UTC",
        name: str | None = None,
    ) -> Actor:
        suffix = uuid.uuid4().hex[:8]
        async with self.db.session() as session:
            user, token = await create_contractor(
                session,
                name=name or f"Contractor {suffix}",
                email=f"contractor-{suffix}@example.com",
                hourly_rate_cents=rate_cents,
                industries=industries or ["software"],
                languages=languages or ["English"],
                tz=tz,
            )
        return Actor(user.id, token, user.email)

    async def ops(self) -> Actor:
        return await self.user("ops", "Ops")

    async def user(
        self, role: str, label: str, company_id: str | None = None, tz: str = "UTC"
    ) -> Actor:
        """A user named and addressed after `label` and a random suffix (a contractor made
        here has no profile)."""
        suffix = uuid.uuid4().hex[:8]
        async with self.db.session() as session:
            user, token = await create_user(
                session,
                role=role,
                name=f"{label} {suffix}",
                email=f"{label.lower()}-{suffix}@example.com",
                company_id=company_id,
                tz=tz,
            )
        return Actor(user.id, token, user.email, company_id)

    async def job_post(self, client: Actor, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Customer support lead",
            "description": "Inbound support for a SaaS product",
            "budget_min_cents": 3000,
            "budget_max_cents": 5000,
            "industry": "software",
            "languages": ["English"],
            "tz": "UTC",
            **fields,
        }
        response = await self.http.post("/job-posts", json=body, headers=client.auth)
        assert response.status_code == 201, response.text
        return dict(response.json())


def product_settings(database_url: str, mail: MailServer, task_queue: str, **more: Any) -> Settings:
    """The product's settings in a test: its database and task queue, email to the loopback
    server, and `more`; nothing from the environment."""
    return Settings(
        database_url=database_url,
        temporal_task_queue=task_queue,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        **more,
        _env_file=None,  # type: ignore[call-arg]
    )


@asynccontextmanager
async def running_stack(
    env: WorkflowEnvironment, database_url: str, mail: MailServer, **more: Any
) -> AsyncIterator[Stack]:
    """`more`: further settings (e.g. what the server's dynamic config allows)."""
    settings = product_settings(database_url, mail, f"hiring-test-{uuid.uuid4().hex[:8]}", **more)
    db = Database(database_url)
    worker = create_worker(env.client, settings, db)
    app = create_app(settings, temporal=env.client, clock=env.get_current_time)
    try:
        async with worker, serving(app, env, db, settings, mail) as stack:
            yield stack
    finally:
        await db.dispose()


@asynccontextmanager
async def serving(
    app: FastAPI, env: WorkflowEnvironment, db: Database, settings: Settings, mail: MailServer
) -> AsyncIterator[Stack]:
    """The app running (its lifespan), driven over HTTP in process."""
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield Stack(env, http, db, settings, mail)
