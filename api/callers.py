"""Who a bearer token belongs to, for the API process: read from the database at most once in
a few seconds per token, and read together for the requests that arrive while a read is under
way. A burst of requests (a round's claims) costs a few database reads, not one per request.

Safe to remember: the API never reissues or revokes a token (only the offline seed rotates one)
and a user's role and company never change; what a route reads of its caller is at most
CALLER_TTL_SECONDS old. Each request gets its own copy, so no route can change another's.

A request's caller is looked up once: the first to need it (the Idempotency-Key middleware, or
else `api.deps.current_user`) keeps it in the request's state for the rest."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import col, select
from starlette.types import Scope

from core.db import Database
from store.models import User

CALLER_TTL_SECONDS = 5.0
MAX_CALLERS = 10_000
MAX_READ = 500  # tokens per database read

ReadUsers = Callable[[list[str]], Awaitable[list[User]]]
RESOLVED = "caller"  # request state: (token hash, its user or None)


class Callers:
    def __init__(self, ttl: float = CALLER_TTL_SECONDS, size: int = MAX_CALLERS) -> None:
        self.ttl = ttl
        self.size = size
        self._known: dict[str, tuple[float, dict[str, Any]]] = {}
        self._waiting: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._reading: asyncio.Future[None] | None = None
        self.reads = 0  # database reads made

    async def user(self, token_hash: str, read: ReadUsers) -> User | None:
        """The user of the token (None when no user has it); `read` reads users by token."""
        known = self._known.get(token_hash)
        if known is not None and time.monotonic() < known[0]:
            return User.model_validate(known[1])
        waiting = self._waiting.get(token_hash)
        if waiting is None:
            waiting = self._waiting[token_hash] = asyncio.get_running_loop().create_future()
            if self._reading is None:
                self._reading = asyncio.ensure_future(self._read_waiting(read))
        fields = await asyncio.shield(waiting)
        return None if fields is None else User.model_validate(fields)

    async def _read_waiting(self, read: ReadUsers) -> None:
        """One read at a time: the tokens asked for meanwhile go into the next one."""
        try:
            while self._waiting:
                batch = dict(list(self._waiting.items())[:MAX_READ])
                for token_hash in batch:
                    del self._waiting[token_hash]
                self.reads += 1
                try:
                    users = await read(list(batch))
                except Exception as error:  # noqa: BLE001 - each waiting request gets it
                    for waiting in batch.values():
                        waiting.set_exception(error)
                    continue
                found = {u.token_hash: self._remember(u) for u in users}
                for token_hash, waiting in batch.items():
                    waiting.set_result(found.get(token_hash))
        finally:
            self._reading = None

    def _remember(self, user: User) -> dict[str, Any]:
        if len(self._known) >= self.size:
            self._known.clear()  # a burst of new callers: start over rather than grow
        fields = {name: getattr(user, name) for name in User.model_fields}
        self._known[user.token_hash] = (time.monotonic() + self.ttl, fields)
        return fields


def users_by_token(db: Database) -> ReadUsers:
    async def read(token_hashes: list[str]) -> list[User]:
        async with db.session() as session:
            rows = await session.exec(select(User).where(col(User.token_hash).in_(token_hashes)))
            return list(rows)

    return read


async def caller_of(scope: Scope, token_hash: str) -> User | None:
    """The request's caller: the one already looked up for this token, else looked up now (a
    copy detached from any session, so any route may use it) and kept for the request."""
    state: dict[str, Any] = scope.setdefault("state", {})
    resolved: tuple[str, User | None] | None = state.get(RESOLVED)
    if resolved is not None and resolved[0] == token_hash:
        return resolved[1]
    app_state = scope["app"].state
    callers: Callers = app_state.callers
    user = await callers.user(token_hash, users_by_token(app_state.db))
    state[RESOLVED] = (token_hash, user)
    return user
