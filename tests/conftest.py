"""Real parts for tests: Temporal's time-skipping test server, SQLite files and (with
TEST_POSTGRES_URL) fresh PostgreSQL databases, an SMTP server on loopback, and the real API and
worker built around them."""

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.temporal import data_converter
from store.migrate import upgrade
from tests.mail import MailServer
from tests.stack import Stack, running_stack
from workflows import search_attributes

BIN = Path(sys.executable).parent
TEST_SERVER = BIN / "temporal-test-server"
DEV_SERVER = BIN / "temporal"


# Load and fault tests that need the machine to themselves: hundreds of claims racing, parts of
# the product killed, deadlines on answers. `make test` runs the others on two workers
# (`-m "not alone"`), then these one at a time (`-m alone`); a plain `pytest` runs everything.
RUN_ALONE = {
    "e2e/test_slot_claims_burst.py",
    "e2e/test_slot_contention.py",
    "e2e/test_next_step_follows_at_once.py",
    "e2e/test_cancellation_contention.py",
    "e2e/test_slot_claims_processes.py",
    "e2e/test_bench.py",
    "e2e/test_pool_admission.py",
    "faults/test_mail_silent_story.py",
    "faults/test_server_killed.py",
    "faults/test_worker_killed.py",
    "faults/test_smtp_faults.py",
}
# The longest of the others (`pytest --durations`) start first, so that no worker is left running
# one of them alone at the end.
LONGEST_FIRST = [
    "e2e/test_api_fuzz.py",
    "workflows/test_slot_pool.py",
    "e2e/test_job_post_close.py",
    "e2e/test_next_step_scheduling.py",
    "e2e/test_engagement_restart.py",
    "e2e/test_dev_stack.py",
]


def _module(item: pytest.Item) -> str:
    return item.path.relative_to(Path(__file__).parent).as_posix()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _module(item) in RUN_ALONE:
            item.add_marker(pytest.mark.alone)

    def rank(item: pytest.Item) -> int:
        module = _module(item)
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
                for key in search_attributes.ALL
            },
        )
    )


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping Temporal server of the module's own (a stuck workflow stalls its clock)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=data_converter()
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real dev server, for listing by search attributes and real-time concurrency."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        data_converter=data_converter(),
        search_attributes=list(search_attributes.ALL),
        dev_server_extra_args=["--dynamic-config-value", "history.maxInFlightUpdates=500"],
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hiring.db'}"
    upgrade(url)
    return url


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards. Skipped only when
    TEST_POSTGRES_URL is unset; fails when it is set but the server does not answer."""
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    admin_url = make_url(admin)
    name = f"hiring_test_{uuid.uuid4().hex[:12]}"
    conninfo = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs on both databases."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="module")
async def mail() -> AsyncIterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def stack(
    time_env: WorkflowEnvironment, sqlite_url: str, mail: MailServer
) -> AsyncIterator[Stack]:
    """The real API and worker on the time-skipping server, SQLite and loopback SMTP."""
    async with running_stack(time_env, sqlite_url, mail) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def dev_stack(
    request: pytest.FixtureRequest, dev_env: WorkflowEnvironment, mail: MailServer
) -> AsyncIterator[Stack]:
    """The real API and worker on a dev server, once on each database: for real-time races.
    The server takes 500 updates in flight per workflow, so the API may let 200 through."""
    url = str(request.getfixturevalue(f"{request.param}_url"))
    async with running_stack(dev_env, url, mail, pool_updates_in_flight=200) as running:
        yield running
