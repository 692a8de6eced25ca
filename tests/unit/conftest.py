"""Fixtures of the unit tests that use a database."""

from collections.abc import AsyncIterator

import pytest

from core.db import Database


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The store on each database (see `database_url`)."""
    database = Database(database_url)
    yield database
    await database.dispose()
