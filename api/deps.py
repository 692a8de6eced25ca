"""Request dependencies: the session, Temporal (through api.workflows), the caller, the clock."""

from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.callers import caller_of
from api.workflows import Workflows
from core.db import Database
from core.settings import Settings
from core.tokens import hash_token
from domain.roles import Role
from store.models import User

_bearer = HTTPBearer(auto_error=False)


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(
    db: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[AsyncSession]:
    async with db.session() as session:
        yield session


async def get_workflows(
    request: Request, session: Annotated[AsyncSession, Depends(get_session)]
) -> Workflows:
    """Temporal, reached only through calls that first release the request's session."""
    client: Client = request.app.state.temporal
    return Workflows(client, session)


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_now(request: Request) -> datetime:
    clock: Callable[[], Coroutine[Any, Any, datetime]] = request.app.state.clock
    return await clock()


def _token_of(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    return hash_token(credentials.credentials)


async def _user_with(session: AsyncSession, token_hash: str) -> User:
    user = (await session.exec(select(User).where(User.token_hash == token_hash))).first()
    if user is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


async def user_of(session: AsyncSession, credentials: HTTPAuthorizationCredentials | None) -> User:
    """The user a bearer token belongs to, read from the database; 401 when none."""
    return await _user_with(session, _token_of(credentials))


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The caller (api/callers.py: looked up once a request, remembered a few seconds, read
    together in a burst)."""
    user = await caller_of(request.scope, _token_of(credentials))
    if user is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_role(*roles: str) -> Callable[..., Coroutine[Any, Any, User]]:
    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise HTTPException(403, f"only {' or '.join(roles)} users may do this")
        return user

    return check


Session = Annotated[AsyncSession, Depends(get_session)]
Temporal = Annotated[Workflows, Depends(get_workflows)]
Caller = Annotated[User, Depends(current_user)]
Now = Annotated[datetime, Depends(get_now)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
ContractorUser = Annotated[User, Depends(require_role(Role.CONTRACTOR))]
