"""Writing a row whether or not it exists yet, safe against a concurrent first write."""

from typing import Any

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select

from core.db import Database


async def upsert(
    db: Database,
    model: type[SQLModel],
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    newer: ColumnElement[bool] | None = None,
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Update the row `key` names with `values` (only where `newer` holds: a late retry never
    overwrites a newer write); insert it, with `on_insert` too, when there is none. An insert
    that loses the race to a concurrent one becomes the update."""
    where = and_(*(col(getattr(model, name)) == value for name, value in key.items()))
    if newer is not None:
        where = and_(where, newer)
    for _ in range(2):
        async with db.session() as session:
            result = await session.exec(update(model).where(where).values(**values))
            await session.commit()
            if result.rowcount:
                return
            exists = (await session.exec(select(model).filter_by(**key).limit(1))).first()
            if exists is not None:
                return  # a newer write is already there
            session.add(model(**key, **values, **(on_insert or {})))
            try:
                await session.commit()
                return
            except IntegrityError:  # inserted concurrently: try the update again
                await session.rollback()
