"""The product as it runs in production, each part a process of its own on this machine: a
Temporal dev server (`temporal server start-dev`, optionally on a SQLite file), the worker
(`python -m workers.worker`) and the API (uvicorn). Any part can be stopped gracefully (SIGTERM),
killed (SIGKILL) and started again on the same port and state, so faults are real."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client

from core.temporal import data_converter
from store.migrate import upgrade
from tests.mail import free_port
from workers.dev_stack import (
    DYNAMIC_CONFIG,
    SEARCH_ATTRIBUTES,
    _die_with_parent,
    temporal_binary,
)

STARTUP_SECONDS = 90.0
STOP_SECONDS = 20.0
TEMPORAL, WORKER, API = "temporal", "worker", "api"


async def wait_for(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{what} did not start within {STARTUP_SECONDS:.0f} s")


@dataclass
class ProcessStack:
    """`folder` holds the logs (and, with `persistent`, Temporal's SQLite file); the environment
    of the worker and the API is the process's own plus `env`."""

    folder: Path
    database_url: str
    persistent: bool = True
    task_queue: str = "hiring"
    env: dict[str, str] = field(default_factory=dict)
    log_level: str = "warn"
    api_factory: str = "api.app:create_app"  # what uvicorn serves (module:factory)
    temporal_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def temporal_db(self) -> Path:
        return self.folder / "temporal.db"

    @property
    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def temporal_command(self) -> list[str]:
        command = [
            temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
            "--port", str(self.temporal_port), "--log-level", self.log_level,
        ]  # fmt: skip
        if self.persistent:
            command += ["--db-filename", str(self.temporal_db)]
        for flag in SEARCH_ATTRIBUTES:
            command += ["--search-attribute", flag]
        for value in DYNAMIC_CONFIG:
            command += ["--dynamic-config-value", value]
        return command

    def product_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": self.database_url,
            "TEMPORAL_ADDRESS": self.address,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "SMTP_HOST": "",
            "MAIL_OUTBOX_DIR": str(self.folder / "outbox"),
            **self.env,
        }

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def _spawn(self, name: str, command: list[str]) -> None:
        assert self.running(name) is False, f"{name} is already running"
        self.starts[name] = self.starts.get(name, 0) + 1
        with self.log(name).open("ab") as log:
            log.write(f"--- start {self.starts[name]} ---\n".encode())
            log.flush()
            self.processes[name] = subprocess.Popen(
                command,
                env=self.product_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # no server left running if the tests die
            )

    def running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    async def start_temporal(self) -> None:
        """Start the dev server (again, on the same port and file) and wait until it answers."""
        self._spawn(TEMPORAL, self.temporal_command())

        async def answers() -> bool:
            assert self.running(TEMPORAL), f"the dev server exited:\n{self.tail(TEMPORAL)}"
            client = await asyncio.wait_for(self.connect(), 5)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return True

        await wait_for(answers, "the Temporal dev server")

    def start_worker(self) -> None:
        self._spawn(WORKER, [sys.executable, "-m", "workers.worker"])

    async def start_api(self) -> None:
        command = [
            sys.executable, "-m", "uvicorn", "--factory", self.api_factory,
            "--host", "127.0.0.1", "--port", str(self.api_port), "--log-level", "warning",
            "--no-access-log", "--backlog", "4096",
        ]  # fmt: skip
        self._spawn(API, command)

        async def answers() -> bool:
            assert self.running(API), f"the API exited:\n{self.tail(API)}"
            async with httpx.AsyncClient(base_url=self.base_url) as http:
                return bool((await http.get("/health")).json().get("status") == "ok")

        await wait_for(answers, "the API")

    async def start(self) -> None:
        """Everything, in order: Temporal, the migrated database, the worker, the API."""
        await self.start_temporal()
        await asyncio.to_thread(upgrade, self.database_url)
        self.start_worker()
        await self.start_api()

    async def connect(self) -> Client:
        return await Client.connect(self.address, data_converter=data_converter())

    def kill(self, name: str) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or container dies."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self, name: str) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in (API, WORKER, TEMPORAL):
            self.stop(name)

    def tail(self, name: str, lines: int = 20) -> str:
        try:
            text = self.log(name).read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])
