"""The FastAPI app, built around a Temporal client and a database URL (tests pass their own)."""

import gc
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from api.callers import Callers
from api.codec_cors import CodecCors, origins_of
from api.errors import install_error_handlers
from api.idempotency import IdempotencyMiddleware
from api.nul_text import NulTextMiddleware
from api.openapi import install_error_docs
from api.routes import ROUTERS, codec
from core.db import Database
from core.settings import Settings, get_settings
from core.temporal import connect

Clock = Callable[[], Coroutine[Any, Any, datetime]]


async def wall_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    temporal: Any = None,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.db = Database(settings.database_url)
        app.state.temporal = temporal or await connect(settings)
        app.state.clock = clock or wall_clock
        # What start-up built (routes, schemas, models, the client) lives as long as the app:
        # kept out of the garbage collector's scans, which would otherwise walk it again and again
        # under a burst of requests (a large share of a claim's CPU, measured); handed back to
        # it when the app stops (tests build many apps in one process).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await app.state.db.dispose()

    app = FastAPI(
        title="Hiring workflows",
        description="A contractor marketplace's hiring pipeline: job posts, interviews, offers, "
        "engagements. Authenticate with `Authorization: Bearer <token>`. Every error is JSON "
        '`{"detail": "<what went wrong>"}`; invalid input (422) also lists each invalid field '
        'in `errors`; an unexpected failure answers 500 `{"detail": "internal error"}`.',
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.callers = Callers()
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(CodecCors, origins=origins_of(settings.codec_cors_origins))
    install_error_handlers(app)
    app.add_middleware(NulTextMiddleware)  # outermost: nothing stores such text first
    routers = [*ROUTERS, codec.router]
    for router in routers:
        app.include_router(router)
    install_error_docs(app, [route for router in routers for route in router.routes])
    return app
