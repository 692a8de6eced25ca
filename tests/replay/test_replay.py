"""Replay: the recorded histories of the end-to-end scenarios (tests/replay/histories/*.json)
must replay against the current workflow code, so a change that would break running workflows
fails here. Changing a running workflow's commands goes through `workflow.patched`. They replay
through the shared data converter: their payloads are sealed with the dev key; `*.plaintext.json`
is one recorded before payloads were sealed, kept to show that such histories still replay.

Record them again (only for a change no running workflow can see) with
`RECORD_HISTORIES=1 pytest tests/e2e/test_hiring_path.py tests/e2e/test_decisions_flow.py
tests/e2e/test_scorecards_flow.py tests/e2e/test_offers.py tests/e2e/test_engagement_lifecycle.py
tests/e2e/test_engagement_restart.py tests/e2e/test_cancellation*.py
tests/e2e/test_job_post_close.py tests/e2e/test_outbox_handlers.py tests/e2e/test_next_step*.py
tests/e2e/test_scheduling_reprompt.py tests/e2e/test_messaging.py
tests/workflows/test_slot_pool.py`; then restore with git the histories of paths
running workflows still take, which the new code no longer records."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.codec import ENCODING
from core.temporal import data_converter
from tests.helpers import HISTORIES
from tests.payloads import history_payloads, is_search_attribute
from workers.registry import workflow_classes

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
    "slot_pool_ops_alerted",
    "message_relayed",
    # Slots decided by the round's slot pool: its own runs, and interviews it told of bookings.
    "slot_pool_claims_and_a_release",
    "slot_pool_moves",
    "interview_pool_booked_cancelled_and_rebooked",
    "interview_pool_booked_rescheduled_through_the_pool",
    "interview_one_upsert_per_booking",
    "interview_rescheduled_one_upsert_per_booking",
    # Invites tried at once, as local activities.
    "interview_invites_at_once",
    "interview_rescheduled_invites_at_once",
    # A candidacy's ending behaviours, each under a patch id of its own.
    "candidacy_patch_per_behaviour",
}


def test_every_scenario_has_a_recorded_history() -> None:
    assert REQUIRED <= {p.name.split(".")[0] for p in RECORDED}
    # The ten-week engagement continued as new: its first run and its last runs are kept.
    assert len([p for p in RECORDED if p.name.startswith("engagement_ten_weeks.")]) == 3


def _encodings(path: Path) -> set[bytes]:
    history = WorkflowHistory.from_json(path.stem, TEXTS[path])
    return {
        payload.metadata["encoding"]
        for where, payload in history_payloads([history])
        if not is_search_attribute(where) and not where.startswith(".marker_recorded")
    }


def test_recorded_histories_are_sealed_and_one_from_before_is_kept() -> None:
    plaintext = [p for p in RECORDED if p.name.endswith(".plaintext.json")]
    assert plaintext, "keep one history recorded before payloads were sealed"
    for path in plaintext:
        assert ENCODING not in _encodings(path), path.name
    for path in set(RECORDED) - set(plaintext):
        assert _encodings(path) == {ENCODING}, f"{path.name} holds payloads in clear"


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays_against_the_current_code(path: Path) -> None:
    replayer = Replayer(workflows=workflow_classes(), data_converter=data_converter())
    history = WorkflowHistory.from_json(path.stem.split(".")[0], TEXTS[path])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
