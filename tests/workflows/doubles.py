"""Test doubles for every activity a workflow runs: each answers to its interface's activity name
(contracts/) and takes the interface's payload type, records what it was given, and answers with
the function the test gave for that name, or else the return type's empty value (0, "", False,
[], None). A double with a model to return and no answer given fails at once, naming itself.

Workflows run on the time-skipping server with these in place of the database, the mail server and
other workflows: what a workflow decided shows in the calls it made, with the workflow time each
notice carries (`NotifyRequest.at`)."""

import inspect
import typing
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.notify import InviteRequest, NotifyRequest
from domain.ids import candidacy_workflow_id
from tests.interfaces import declared, every_interface
from workers.registry import pool_workflow_classes, workflow_classes
from workflows.slot_pool_client import pool_task_queue

EMPTY: dict[Any, Any] = {int: 0, str: "", bool: False, type(None): None}


@dataclass
class Call:
    name: str
    arg: Any


@dataclass
class Doubles:
    """`answers`: activity name -> a function of the payload (sync or async) giving the result."""

    answers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def activities(self) -> list[Any]:
        return [
            self._double(name, stub)
            for interface in every_interface()
            for name, stub in declared(interface).items()
        ]

    def args(self, name: str) -> list[Any]:
        """What each call of the activity was given, in order."""
        return [call.arg for call in self.calls if call.name == name]

    def notices(self, template: str | None = None) -> list[NotifyRequest]:
        sent: list[NotifyRequest] = self.args("send_notification")
        return [n for n in sent if template is None or n.template == template]

    def templates(self) -> list[str]:
        return [n.template for n in self.notices()]

    def invites(self) -> list[InviteRequest]:
        """Every calendar invite sent: at once (a local activity) or, failing that, later."""
        sent: list[InviteRequest] = self.args("send_invite_at_once") + self.args("send_invite")
        return sent

    def _double(self, name: str, stub: Any) -> Any:
        hints = typing.get_type_hints(stub)
        params = [p for p in inspect.signature(stub).parameters if p != "self"]
        returns = hints.get("return", type(None))

        async def answer(arg: Any) -> Any:
            self.calls.append(Call(name, arg))
            given = self.answers.get(name)
            if given is not None:
                result = given(arg)
                return await result if inspect.isawaitable(result) else result
            if typing.get_origin(returns) is list:
                return []
            if returns in EMPTY:
                return EMPTY[returns]
            raise ApplicationError(f"no answer given for {name}", non_retryable=True)

        if params:

            async def double(arg: Any) -> Any:
                return await answer(arg)

            double.__annotations__ = {"arg": hints[params[0]], "return": returns}
        else:

            async def double() -> Any:  # type: ignore[misc]
                return await answer(None)

            double.__annotations__ = {"return": returns}
        return activity.defn(name=name)(double)


@asynccontextmanager
async def worker_with(env: WorkflowEnvironment, doubles: Doubles) -> AsyncIterator[str]:
    """Every workflow of the worker, with the doubles as its activities; yields the task queue
    (the slot pools run on theirs, as in production)."""
    task_queue = f"doubles-{uuid.uuid4().hex[:8]}"
    async with (
        Worker(
            env.client,
            task_queue=task_queue,
            workflows=workflow_classes(),
            activities=doubles.activities(),
        ),
        Worker(
            env.client,
            task_queue=pool_task_queue(task_queue),
            workflows=pool_workflow_classes(),
            activities=doubles.activities(),
        ),
    ):
        yield task_queue


def hire_ids() -> dict[str, str]:
    """The ids of a new hire's parties (job post, company, owner, contractor) and its candidacy,
    built as the product builds them."""
    suffix = uuid.uuid4().hex[:8]
    job_post_id, contractor_id = f"jp_{suffix}", f"u_c{suffix}"
    return {
        "candidacy_id": candidacy_workflow_id(job_post_id, contractor_id),
        "job_post_id": job_post_id,
        "company_id": f"co_{suffix}",
        "owner_id": f"u_o{suffix}",
        "contractor_id": contractor_id,
    }
