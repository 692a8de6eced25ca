"""Replay: the recorded histories of the end-to-end scenarios (tests/histories/*.json) must replay
against the current workflow code, so a change that would break running workflows fails here.
Changing a running workflow's commands goes through `workflow.patched`.

Record them again (only for a change no running workflow can see) with
`RECORD_HISTORIES=1 pytest tests/test_hiring_path.py tests/test_decisions_flow.py
tests/test_scorecards_flow.py tests/test_offers.py tests/test_engagement_lifecycle.py
tests/test_engagement_restart.py tests/test_cancellation*.py tests/test_job_post_close.py
tests/test_outbox_handlers.py tests/test_next_step*.py`; then restore with git the histories of
paths running workflows still take, which the new code no longer records."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workers.registry import workflow_classes

HISTORIES = Path(__file__).parent / "histories"
RECORDED = sorted(HISTORIES.glob("*.json"))
TEXTS = {path: path.read_text() for path in RECORDED}

REQUIRED = {
    "candidacy_round1_advance",
    "interview_round1_completed",
    "candidacy_rejected_while_interviewing",
    "candidacy_decision_clock_with_hold",
    "candidacy_scorecards_and_reminders",
    "offer_expired",
    "offer_countered_revised_accepted",
    "offer_declined",
    "candidacy_hired",
    "engagement_ten_weeks",
    "engagement_restarted",
    "interview_cancelled_and_rebooked",
    "interview_rescheduled",
    "candidacy_request_cancelled",
    "job_post_close_three_batches",
    # Handlers that queue their notices in the outbox (sent while the mail server was silent).
    "candidacy_shortlisted_withdrawn",
    "offer_countered_revised_mail_silent",
    "engagement_disputed_terms_ended",
    "interview_claimed_at_first_awaiting_slot",
    "interview_cancelled_then_claimed_at_once",
    "candidacy_hired_each_step_at_once",
    "interview_rebooked_at_once",
    # Slots decided by the round's slot pool: its own runs, and interviews it told of bookings.
    "slot_pool_claims_and_a_release",
    "slot_pool_moves",
    "interview_pool_booked_cancelled_and_rebooked",
    "interview_pool_booked_rescheduled_through_the_pool",
}


def test_every_scenario_has_a_recorded_history() -> None:
    assert REQUIRED <= {p.name.split(".")[0] for p in RECORDED}
    # The ten-week engagement continued as new: its first run and its last runs are kept.
    assert len([p for p in RECORDED if p.name.startswith("engagement_ten_weeks.")]) == 3


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays_against_the_current_code(path: Path) -> None:
    replayer = Replayer(workflows=workflow_classes(), data_converter=pydantic_data_converter)
    history = WorkflowHistory.from_json(path.stem.split(".")[0], TEXTS[path])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
