"""Scorecard rules: four ratings, one scorecard per panel member, reminders 1 h after the
interview's end then every business day while missing."""

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contracts.hiring import ScorecardSubmission
from domain.scorecards import (
    NOTES_MAX_LENGTH,
    Rating,
    missing_members,
    panel_or_requester,
    reminder_times,
    reminders_from,
)

BERLIN = "Europe/Berlin"


def scorecard(rating: str, notes: str = "") -> ScorecardSubmission:
    return ScorecardSubmission.model_validate(
        {"interview_id": "iv", "panel_member_id": "u_a", "rating": rating, "notes": notes}
    )


@pytest.mark.parametrize("rating", ["strong_no", "no", "yes", "strong_yes"])
def test_a_scorecard_takes_a_rating_on_the_four_point_scale(rating: str) -> None:
    assert scorecard(rating).rating == Rating(rating)


@pytest.mark.parametrize("rating", ["maybe", "", "Strong_Yes", "strong yes", "3"])
def test_a_rating_off_the_scale_is_refused(rating: str) -> None:
    with pytest.raises(ValidationError):
        scorecard(rating)


def test_scorecard_notes_are_kept_up_to_their_limit() -> None:
    longest = "n" * NOTES_MAX_LENGTH
    assert scorecard("yes", longest).notes == longest
    with pytest.raises(ValidationError):
        scorecard("yes", longest + "n")


def test_panel_defaults_to_the_requesting_client_and_names_each_member_once() -> None:
    assert panel_or_requester(None, "u_owner") == ["u_owner"]
    assert panel_or_requester([], "u_owner") == ["u_owner"]
    assert panel_or_requester(["u_b", "u_a", "u_b"], "u_owner") == ["u_b", "u_a"]
    assert missing_members(["u_a", "u_b", "u_c"], {"u_b"}) == ["u_a", "u_c"]


def test_scorecard_reminders_1_hour_after_the_end_then_every_business_day() -> None:
    # Friday 23 October 2026, 17:00 in Berlin; the clocks go back that Sunday.
    ended = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)
    times = list(islice(reminder_times(ended, BERLIN), 12))
    local = [t.astimezone(ZoneInfo(BERLIN)).strftime("%a %d %H:%M") for t in times]
    assert local[:4] == ["Fri 23 18:00", "Mon 26 18:00", "Tue 27 18:00", "Wed 28 18:00"]
    assert times[0] - ended == timedelta(hours=1)
    # Daily while missing, with no end of its own: past the 10th business day (Fri 6 November).
    assert local[10:12] == ["Fri 06 18:00", "Mon 09 18:00"]


def test_passed_reminders_become_one_reminder_at_once() -> None:
    ended = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)
    times = list(islice(reminder_times(ended, BERLIN), 5))
    assert list(reminders_from(times, ended + timedelta(minutes=10))) == times
    late = ended + timedelta(hours=3)
    assert list(reminders_from(times, late)) == [late, *times[1:]]
