"""The fault suite's shared parts: the table of faults tried and what survived them, printed at
the end of the run (also with -q), and the product started as processes of their own.

A test adds its row through the `fault_outcomes` fixture:

    fault_outcomes.add("SMTP down", "what was tried", "what survived")
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from _pytest.terminal import TerminalReporter

from tests.mail import MailServer
from tests.process_stack import API, TEMPORAL, WORKER, ProcessStack
from tests.product import product_stack
from tests.stack import Stack


@dataclass
class Outcome:
    fault: str
    tried: str
    survived: str


@dataclass
class FaultOutcomes:
    rows: list[Outcome] = field(default_factory=list)

    def add(self, fault: str, tried: str, survived: str) -> None:
        self.rows.append(Outcome(fault, tried, survived))


OUTCOMES_KEY = pytest.StashKey[FaultOutcomes]()


def _outcomes(config: pytest.Config) -> FaultOutcomes:
    if OUTCOMES_KEY not in config.stash:
        config.stash[OUTCOMES_KEY] = FaultOutcomes()
    return config.stash[OUTCOMES_KEY]


@pytest.fixture(scope="session")
def fault_outcomes(pytestconfig: pytest.Config) -> FaultOutcomes:
    return _outcomes(pytestconfig)


def format_table(rows: list[Outcome]) -> list[str]:
    header = Outcome("fault", "what was tried", "what survived")
    cells = [header, *rows]
    widths = [max(len(getattr(c, f)) for c in cells) for f in ("fault", "tried", "survived")]

    def line(c: Outcome) -> str:
        values = (c.fault, c.tried, c.survived)
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line(header), rule, *(line(c) for c in rows)]


def pytest_terminal_summary(terminalreporter: TerminalReporter, config: pytest.Config) -> None:
    rows = _outcomes(config).rows
    if not rows:
        return
    terminalreporter.write_sep("=", "faults tried and what survived")
    for text in format_table(rows):
        terminalreporter.write_line(text)


@pytest.fixture(scope="session")
def fault_mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def running_processes(
    tmp_path_factory: pytest.TempPathFactory, fault_mail: MailServer
) -> AsyncIterator[ProcessStack]:
    """Temporal (on a SQLite file), the worker and the API as child processes, on SQLite, with
    email to the loopback SMTP server: one set for the suite (starting it is the slow part)."""
    folder = tmp_path_factory.mktemp("processes")
    stack = ProcessStack(
        folder,
        f"sqlite:///{folder / 'hiring.db'}",
        env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(fault_mail.port)},
    )
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
async def processes(running_processes: ProcessStack) -> ProcessStack:
    """The suite's processes, each running (a test that failed half-way may have left one down)."""
    stack = running_processes
    if not stack.running(TEMPORAL):
        await stack.start_temporal()
    if not stack.running(WORKER):
        stack.start_worker()
    if not stack.running(API):
        await stack.start_api()
    return stack


@pytest.fixture
async def product(processes: ProcessStack, fault_mail: MailServer) -> AsyncIterator[Stack]:
    """The test's view of the running product: HTTP to the API process, the database file and a
    Temporal client of its own (real time: the dev server's clock is the wall clock)."""
    async with product_stack(processes, fault_mail, read_seconds=60) as stack:
        yield stack
