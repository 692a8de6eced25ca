"""Apply the Alembic migrations to a database: `python -m store.migrate [URL]`."""

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from core.db import _ensure_sqlite_folder, is_sqlite, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    from core.settings import get_settings

    upgrade(sys.argv[1] if len(sys.argv) > 1 else get_settings().database_url)
