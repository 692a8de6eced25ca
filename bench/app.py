"""The product's API app plus one bench-only route: the HTTP floor of the slot benchmark.

`POST /bench/noop/{workflow_id}` authenticates the caller exactly as every route does and runs one
no-op update on the given workflow through the same gateway (`api.workflows.Workflows`, which
first releases the request's database session). A claim can be no cheaper than this. The route
exists only in the benchmark's own API process (`uvicorn --factory bench.app:create_bench_app`)."""

from fastapi import APIRouter, FastAPI

from api.app import create_app
from api.deps import Caller, Temporal
from bench.noop_workflow import NoopWorkflow

NOOP_PATH = "/bench/noop/{workflow_id}"

router = APIRouter(tags=["bench"])


@router.post(NOOP_PATH)
async def noop_update(workflow_id: str, user: Caller, temporal: Temporal) -> dict[str, int]:
    value: int = await temporal.update(workflow_id, NoopWorkflow.touch, 0)
    return {"value": value}


def create_bench_app() -> FastAPI:
    app = create_app()
    app.include_router(router)
    return app
