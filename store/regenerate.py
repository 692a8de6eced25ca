"""Rewrite the initial migration from the models: `python -m store.regenerate`.

Only while no release has shipped; after that, every change is a new revision
(`alembic revision --autogenerate`)."""

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from store.migrate import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial_tables.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'empty.db'}"
        command.revision(
            alembic_config(url), message="initial tables", autogenerate=True, rev_id="0001"
        )
    subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--fix", "-q", str(INITIAL)], check=False
    )
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(INITIAL)], check=False)


if __name__ == "__main__":
    main()
