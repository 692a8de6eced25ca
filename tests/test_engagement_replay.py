"""The recorded histories of offers, engagements and the candidacies they end replay against the
current workflow code: a change that would break a running offer or engagement fails here.
Record them again with `RECORD_HISTORIES=1 pytest tests/test_offers.py
tests/test_engagement_lifecycle.py tests/test_engagement_restart.py`."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workers.registry import workflow_classes

HISTORIES = Path(__file__).parent / "histories"
PREFIXES = ("offer_", "engagement_", "candidacy_hired", "candidacy_offer_")
RECORDED = sorted(p for p in HISTORIES.glob("*.json") if p.name.startswith(PREFIXES))
TEXTS = {p: p.read_text() for p in RECORDED}


def test_offer_and_engagement_histories_are_recorded() -> None:
    names = {p.name.split(".")[0] for p in RECORDED}
    assert {
        "offer_expired",
        "offer_countered_revised_accepted",
        "offer_declined",
        "engagement_ten_weeks",
        "engagement_restarted",
        "candidacy_hired",
    } <= names
    # The ten-week engagement continued as new: its first run and its last runs are kept.
    assert len([p for p in RECORDED if p.name.startswith("engagement_ten_weeks.")]) == 3


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays_against_the_current_code(path: Path) -> None:
    replayer = Replayer(workflows=workflow_classes(), data_converter=pydantic_data_converter)
    history = WorkflowHistory.from_json(path.stem.split(".")[0], TEXTS[path])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
