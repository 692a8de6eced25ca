"""The slot benchmark in a small configuration (20 claims on 5 slots), as `make bench` runs it:
its own dev server, worker and API processes; its last line is the JSON the README describes."""

import json
import subprocess
import sys

import pytest

CLAIMS, SLOTS = 20, 5
RUN_SECONDS = 300
FIGURES = (
    "claims_per_s", "p50_ms", "p99_ms", "baseline_per_s", "ratio", "http_floor_per_s",
    "ratio_http_floor", "events_per_win", "events_per_loss", "client_cpu_s",
)  # fmt: skip


def run_bench(database_url: str | None) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.slot_burst", "--claims", str(CLAIMS)]
    command += ["--slots", str(SLOTS)]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_SECONDS)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(params=["sqlite", "postgres"])
def bench_database_url(request: pytest.FixtureRequest) -> str | None:
    """None: the benchmark's own SQLite file; else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


def test_slot_burst_books_each_slot_once_without_5xx_and_reports_its_figures(
    bench_database_url: str | None,
) -> None:
    result = run_bench(bench_database_url)

    assert result["bookings"] == SLOTS
    assert result["double_bookings"] == 0
    assert result["errors_5xx"] == 0
    assert result["transport_errors"] == 0
    assert result["mismatches"] == 0  # every 200 has its row and its interview's state
    for key in FIGURES:
        assert isinstance(result[key], int | float) and result[key] >= 0, key
    assert result["claims_per_s"] > 0 and result["baseline_per_s"] > 0
    assert result["http_floor_per_s"] > 0
    assert result["p50_ms"] <= result["p99_ms"]  # type: ignore[operator]
    assert result["ratio"] == pytest.approx(
        result["claims_per_s"] / result["baseline_per_s"],  # type: ignore[operator]
        rel=0.02,
    )
    assert result["ratio_http_floor"] == pytest.approx(
        result["claims_per_s"] / result["http_floor_per_s"],  # type: ignore[operator]
        rel=0.02,
    )
    # A losing claim writes no history event. A winning one writes 7 in its interview (the
    # pool's signal, one workflow task, one upsert, the reminder's timer, the invite's marker)
    # and its share of the pool's batch: 2.7 in all at 50 bookings a batch (`make bench`).
    assert result["events_per_loss"] == 0
    by_workflow = result["win_events_by_workflow"]
    assert isinstance(by_workflow, dict) and 0 < by_workflow["interview"] <= 7, by_workflow
    cpu = result["cpu_burst_s"]
    assert isinstance(cpu, dict) and set(cpu) == {"temporal", "worker", "api", "client"}
    assert cpu["client"] == result["client_cpu_s"]
