"""`make run`'s dev stack as a developer uses it: `python -m workers.dev_stack` in a fresh folder
(its var/ there) on free ports, answering, stopped with Ctrl-C, started again with its data."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.settings import Settings
from core.tokens import hash_token
from store.models import Company, ContractorProfile, User
from store.seed import DEMO_USERS, seed_demo

START_SECONDS = 120.0
STOP_SECONDS = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class DevStack:
    folder: Path
    api_port: int
    grpc_port: int
    ui_port: int
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def ports(self) -> tuple[int, int, int]:
        return self.api_port, self.grpc_port, self.ui_port

    def env(self) -> dict[str, str]:
        settings = {
            "DATABASE_URL": "sqlite:///var/hiring.db",
            "TEMPORAL_ADDRESS": f"127.0.0.1:{self.grpc_port}",
            "TEMPORAL_NAMESPACE": "default",
            "TEMPORAL_UI_PORT": str(self.ui_port),
            "TEMPORAL_DB_FILE": "var/temporal.db",
            "DEMO_TOKENS_FILE": "var/demo-tokens.json",
            "API_HOST": "127.0.0.1",
            "API_PORT": str(self.api_port),
            "SMTP_HOST": "",
            "MAIL_OUTBOX_DIR": "var/outbox",
        }
        return {**os.environ, **settings}

    @property
    def log(self) -> Path:
        return self.folder / f"run-{self.runs}.log"

    def start(self) -> None:
        self.runs += 1
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workers.dev_stack"],
                cwd=self.folder,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self) -> dict[str, str]:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"dev stack exited early:\n{self.output()}")
            try:
                response = httpx.get(f"{self.api}/health", timeout=5)
                if response.status_code == 200 and "Ctrl-C stops everything" in self.output():
                    return dict(response.json())
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"dev stack not healthy in {START_SECONDS}s:\n{self.output()}")

    def interrupt(self) -> tuple[int, float]:
        """Ctrl-C; the exit code and the seconds it took to stop."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=STOP_SECONDS)
        return code, time.monotonic() - began

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # its children get SIGTERM from the kernel (PR_SET_PDEATHSIG)
            self.process.wait()

    def tokens(self) -> dict[str, str]:
        return dict(json.loads((self.folder / "var" / "demo-tokens.json").read_text()))


@pytest.fixture
def dev_stack(tmp_path: Path) -> Iterator[DevStack]:
    stack = DevStack(tmp_path, free_port(), free_port(), free_port())
    try:
        yield stack
    finally:
        stack.kill()


def me(stack: DevStack, token: str) -> httpx.Response:
    return httpx.get(f"{stack.api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def wait_for_free_ports(ports: tuple[int, ...]) -> list[int]:
    """The ports still taken after a short grace (a closing listener may linger a moment)."""
    deadline = time.monotonic() + 5
    while (taken := [p for p in ports if not port_is_free(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return taken


def test_dev_stack_runs_stops_on_ctrl_c_and_keeps_its_data(dev_stack: DevStack) -> None:
    dev_stack.start()
    health = dev_stack.wait_until_healthy()
    assert health["database"] == "ok"
    assert health["temporal"] == "ok"

    ui = httpx.get(f"http://127.0.0.1:{dev_stack.ui_port}/", timeout=10)
    assert ui.status_code == 200

    tokens = dev_stack.tokens()
    assert len(tokens) == 8  # two clients, five contractors, one ops user
    ops_token = tokens["ops@hiring.example"]
    assert ops_token in dev_stack.output()  # printed for the developer
    answer = me(dev_stack, ops_token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["role"] == "ops"
    client = me(dev_stack, tokens["nora@northwind.example"])
    assert client.json()["role"] == "client"

    code, seconds = dev_stack.interrupt()
    assert code == 0, dev_stack.output()
    assert seconds < STOP_SECONDS
    assert wait_for_free_ports(dev_stack.ports) == []

    dev_stack.start()
    dev_stack.wait_until_healthy()
    assert dev_stack.tokens() == tokens
    assert ops_token in dev_stack.output()
    again = me(dev_stack, ops_token)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == answer.json()["id"]

    code, _ = dev_stack.interrupt()
    assert code == 0, dev_stack.output()
    assert wait_for_free_ports(dev_stack.ports) == []


async def test_demo_seed_is_idempotent_and_keeps_working_tokens(
    database_url: str, tmp_path: Path
) -> None:
    tokens_file = tmp_path / "demo-tokens.json"
    db = Database(database_url)
    try:
        first = await seed_demo(db, tokens_file)
        again = await seed_demo(db, tokens_file)
        assert [login.token for login in again] == [login.token for login in first]

        emails = [demo.email for demo in DEMO_USERS]
        async with db.session() as session:
            users = (await session.exec(select(User).where(col(User.email).in_(emails)))).all()
            assert len(users) == len(DEMO_USERS) == 8
            assert sorted(u.role for u in users) == ["client"] * 2 + ["contractor"] * 5 + ["ops"]
            by_email = {u.email: u for u in users}
            for login in again:
                assert by_email[login.email].token_hash == hash_token(login.token)
            plans = {
                c.name: (c.plan, c.billing_tz)
                for c in (await session.exec(select(Company))).all()
                if c.id in {u.company_id for u in users}
            }
            assert sorted(plans.values()) == [
                ("standard", "America/New_York"),
                ("volume", "Europe/London"),
            ]
            profiles = (
                await session.exec(
                    select(func.count()).where(
                        col(ContractorProfile.user_id).in_([u.id for u in users])
                    )
                )
            ).one()
            assert profiles == 5

        # Tokens lost: the users stay, each gets a fresh token that works, the old ones do not.
        tokens_file.unlink()
        rotated = await seed_demo(db, tokens_file)
        async with db.session() as session:
            for old, new in zip(first, rotated, strict=True):
                assert new.user_id == old.user_id
                assert new.token != old.token
                user = (await session.exec(select(User).where(User.id == new.user_id))).one()
                assert user.token_hash == hash_token(new.token)
    finally:
        await db.dispose()


def test_readme_documents_every_setting_with_its_default() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for name, spec in Settings.model_fields.items():
        variable = name.upper()
        assert variable in rows, f"README's settings table lacks {variable}"
        default = spec.default
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        expected = f"`{shown}`" if shown else "*(empty)*"
        assert rows[variable] == expected, f"README shows {variable}={rows[variable]}"
