"""The API reads who a token belongs to at most once in a few seconds, and a burst of requests
with new tokens together (api/callers.py): 200 callers arriving at once cost at most two reads, not
200; an unknown token is no one; each request gets its own copy of its caller."""

import asyncio

from api.callers import Callers
from store.models import User

CALLERS = 200


def _user(n: int) -> User:
    return User(id=f"u_{n}", role="contractor", name=f"Contractor {n}", email=f"c{n}@x.example",
                token_hash=f"hash-{n}")  # fmt: skip


class Table:
    """The user table as the read sees it, counting the reads and the tokens each asked for."""

    def __init__(self, users: list[User]) -> None:
        self.users = {u.token_hash: u for u in users}
        self.asked: list[int] = []

    async def read(self, token_hashes: list[str]) -> list[User]:
        self.asked.append(len(token_hashes))
        await asyncio.sleep(0.01)  # a database round trip
        return [self.users[h] for h in token_hashes if h in self.users]


async def test_a_burst_of_200_new_callers_is_read_in_two_reads() -> None:
    table = Table([_user(n) for n in range(CALLERS)])
    callers = Callers()
    found = await asyncio.gather(*(callers.user(f"hash-{n}", table.read) for n in range(CALLERS)))
    assert [u.id if u else None for u in found] == [f"u_{n}" for n in range(CALLERS)]
    # Those arriving before the read starts share it; the rest share the next one.
    assert len(table.asked) <= 2 and sum(table.asked) == CALLERS, table.asked


async def test_a_known_caller_is_not_read_again_within_the_ttl_and_is_after_it() -> None:
    table = Table([_user(1)])
    callers = Callers()
    first = await callers.user("hash-1", table.read)
    again = await callers.user("hash-1", table.read)
    assert first is not None and again is not None and first is not again
    first.name = "changed by one request"
    assert again.name == "Contractor 1"  # each request has its own copy
    assert table.asked == [1]
    expiring = Callers(ttl=0)
    await expiring.user("hash-1", table.read)
    await expiring.user("hash-1", table.read)
    assert table.asked == [1, 1, 1]


async def test_an_unknown_token_is_no_one_and_is_read_again_next_time() -> None:
    table = Table([_user(1)])
    callers = Callers()
    assert await callers.user("hash-unknown", table.read) is None
    assert await callers.user("hash-unknown", table.read) is None
    assert table.asked == [1, 1]
