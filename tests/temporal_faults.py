"""Clients of a real Temporal server that see (or break) what the API asks of it: an observer
counting updates in flight, and a start whose answer is lost after the workflow really started
(what an RPC timeout looks like to the caller)."""

import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from tests.mail import MailServer
from tests.stack import Stack, product_settings


class UpdatesInFlight(Interceptor):
    """Counts the updates the API has sent and not yet seen answered."""

    def __init__(self) -> None:
        self.count = 0

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Counting(next, self)


class _Counting(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, counter: UpdatesInFlight) -> None:
        super().__init__(next)
        self.counter = counter

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        self.counter.count += 1
        try:
            return await super().start_workflow_update(input)
        finally:
            self.counter.count -= 1


class LostStartAnswers(Interceptor):
    """While armed, a workflow start really happens and then fails as a lost answer would; `on_lost`
    runs at that moment (between the start and the caller seeing the error)."""

    def __init__(self) -> None:
        self.armed = 0
        self.lost: list[str] = []
        self.on_lost: Any = None

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Losing(next, self)

    @contextmanager
    def losing(self, times: int = 1) -> Iterator[None]:
        self.armed = times
        try:
            yield
        finally:
            self.armed = 0


class _Losing(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, fault: LostStartAnswers) -> None:
        super().__init__(next)
        self.fault = fault

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        handle = await super().start_workflow(input)
        if self.fault.armed > 0:
            self.fault.armed -= 1
            self.fault.lost.append(input.id)
            if self.fault.on_lost is not None:
                await self.fault.on_lost(input.id)
            raise RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b"")
        return handle


def client_with(env: WorkflowEnvironment, interceptor: Interceptor) -> Client:
    """The test server's client, seen through an interceptor."""
    config: dict[str, Any] = dict(env.client.config())
    config["interceptors"] = [*config.get("interceptors", []), interceptor]
    return Client(**config)


@asynccontextmanager
async def api_only(
    env: WorkflowEnvironment, client: Client, database_url: str, mail: MailServer, task_queue: str
) -> Any:
    """The real API around a given client, on a task queue of the caller's choosing (one no
    worker polls leaves every workflow it starts waiting)."""
    settings = product_settings(database_url, mail, task_queue)
    app: FastAPI = create_app(settings, temporal=client, clock=env.get_current_time)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield Stack(env, http, app.state.db, settings, mail), app


def unpolled_queue() -> str:
    return f"nobody-polls-{uuid.uuid4().hex[:8]}"
