"""Who a bearer token belongs to, remembered for a few seconds per API process: a burst of
requests from the same people (a round's claims) reads each caller once, not once per request.

Safe to remember: the API never reissues or revokes a token (only the offline seed rotates one)
and a user's role and company never change; what a route reads of its caller is at most
CALLER_TTL_SECONDS old. Each request gets its own copy, so no route can change another's."""

import time
from typing import Any

from store.models import User

CALLER_TTL_SECONDS = 5.0
MAX_CALLERS = 10_000


class Callers:
    def __init__(self, ttl: float = CALLER_TTL_SECONDS, size: int = MAX_CALLERS) -> None:
        self.ttl = ttl
        self.size = size
        self._known: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, token_hash: str) -> User | None:
        known = self._known.get(token_hash)
        if known is None:
            return None
        until, fields = known
        if time.monotonic() >= until:
            del self._known[token_hash]
            return None
        return User.model_validate(fields)

    def remember(self, token_hash: str, user: User) -> None:
        if len(self._known) >= self.size:
            self._known.clear()  # a burst of new callers: start over rather than grow
        fields = {name: getattr(user, name) for name in User.model_fields}
        self._known[token_hash] = (time.monotonic() + self.ttl, fields)
