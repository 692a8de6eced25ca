from typing import Any

from fastapi import APIRouter
from sqlalchemy import literal
from sqlmodel import select

from api.deps import Session, Temporal

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(session: Session, temporal: Temporal) -> dict[str, Any]:
    """Liveness, and whether Temporal and the database answer."""
    checks: dict[str, Any] = {}
    try:
        await session.exec(select(literal(1)))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        await temporal.check_service()
        checks["temporal"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["temporal"] = f"error: {error.__class__.__name__}"
    checks["status"] = "ok" if all(v == "ok" for v in checks.values()) else "degraded"
    return checks
