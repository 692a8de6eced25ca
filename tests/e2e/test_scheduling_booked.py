"""A booked interview (PRODUCT.md, "Booked" and the outcome): calendar invites to both sides,
reminders 24 h and 1 h before (none already past at booking, none after a cancellation), the
video room from 10 minutes before the start to the end, the outcome reminded 1 h after the end
then daily for up to 5 business days, and the thank-you nudge after a completed interview."""

from datetime import datetime, time, timedelta

from sqlmodel import select

from store.models import Slot
from tests.helpers import notified, skip_to, wait_for_stage
from tests.scheduling import (
    Requested,
    cancel_invite,
    claim,
    exactly,
    interview_state,
    invites_eventually,
    next_weekday_at,
    now_of,
    requested,
    slot_ids,
)
from tests.stack import Actor, Stack

THURSDAY = 3


async def _booked(
    stack: Stack, ahead: timedelta, minutes: int = 30
) -> tuple[Actor, Requested, datetime, datetime]:
    """A client's job post round with one slot `ahead` from now, claimed by a contractor."""
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = (await now_of(stack) + ahead).replace(microsecond=0)
    [slot_id] = await slot_ids(stack, client, job["id"], [start], minutes)
    who = await requested(stack, client, job)
    booked = await claim(stack, who.contractor, who.interview_id, slot_id)
    assert booked.status_code == 200, booked.text
    return client, who, start, start + timedelta(minutes=minutes)


async def test_booking_sends_both_sides_a_calendar_invite(stack: Stack) -> None:
    client, who, start, end = await _booked(stack, timedelta(days=3))
    for side in (who.contractor, client):
        [(message, calendar)] = await invites_eventually(stack, side.email, 1)
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == f"{who.interview_id}@{stack.settings.relay_domain}"
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == start
        assert event["DTSTART"].to_ical().endswith(b"Z")  # written in UTC
        assert event.decoded("DTEND") == end
        assert str(event["ATTENDEE"]) == f"mailto:{side.email}"  # only its own recipient
        assert str(message["Subject"]).startswith("Interview booked")
    await exactly(stack, client.id, "interview_booked", 1)
    await exactly(stack, who.contractor.id, "interview_booked", 1)


async def test_reminders_24_hours_and_1_hour_before_to_both_sides(stack: Stack) -> None:
    client, who, start, _ = await _booked(stack, timedelta(days=3))
    await skip_to(stack, start - timedelta(hours=24, minutes=1))
    await exactly(stack, who.contractor.id, "interview_reminder", 0)
    await skip_to(stack, start - timedelta(hours=23, minutes=59))
    await exactly(stack, who.contractor.id, "interview_reminder", 1)
    await exactly(stack, client.id, "interview_reminder", 1)
    await skip_to(stack, start - timedelta(hours=1, minutes=1))
    await exactly(stack, who.contractor.id, "interview_reminder", 1)
    await skip_to(stack, start - timedelta(minutes=59))
    await exactly(stack, who.contractor.id, "interview_reminder", 2)
    await exactly(stack, client.id, "interview_reminder", 2)


async def test_no_reminder_already_past_at_booking_time(stack: Stack) -> None:
    client, who, start, end = await _booked(stack, timedelta(hours=5))
    await skip_to(stack, end + timedelta(minutes=5))
    await exactly(stack, who.contractor.id, "interview_reminder", 1)  # the 1 h one only
    await exactly(stack, client.id, "interview_reminder", 1)


async def test_no_reminder_after_a_cancellation(stack: Stack) -> None:
    client, who, start, end = await _booked(stack, timedelta(days=3))
    await invites_eventually(stack, client.email, 1)
    withdrawn = await stack.http.post(
        f"/candidacies/{who.candidacy_id}/withdraw",
        json={"reason": "another engagement"},
        headers=who.contractor.auth,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    for side in (who.contractor, client):
        await cancel_invite(stack, side.email, who.interview_id)
    await skip_to(stack, end + timedelta(hours=2))
    await exactly(stack, who.contractor.id, "interview_reminder", 0)
    await exactly(stack, client.id, "interview_reminder", 0)
    async with stack.db.session() as session:
        slot = (await session.exec(select(Slot).where(Slot.start == start))).one()
    assert slot.status == "open" and slot.interview_id is None


async def test_video_room_opens_10_minutes_before_start_and_closes_at_the_end(
    stack: Stack,
) -> None:
    client, who, start, end = await _booked(stack, timedelta(hours=6))
    path = f"/interviews/{who.interview_id}/join"
    await skip_to(stack, start - timedelta(minutes=10, seconds=1))
    early = await stack.http.get(path, headers=who.contractor.auth)
    assert early.status_code == 409 and "opens at" in early.json()["detail"]
    await skip_to(stack, start - timedelta(minutes=10))
    opened = await stack.http.get(path, headers=who.contractor.auth)
    assert opened.status_code == 200, opened.text
    url = opened.json()["url"]
    assert url.startswith(stack.settings.video_base_url + "/")
    assert who.interview_id not in url  # the room name is derived, not guessable
    same_room = await stack.http.get(path, headers=client.auth)
    assert same_room.status_code == 200 and same_room.json()["url"] == url
    await skip_to(stack, end - timedelta(seconds=1))
    assert (await stack.http.get(path, headers=client.auth)).status_code == 200
    await skip_to(stack, end)
    closed = await stack.http.get(path, headers=client.auth)
    assert closed.status_code == 409
    stranger = await stack.contractor()
    assert (await stack.http.get(path, headers=stranger.auth)).status_code == 404


async def test_outcome_reminded_1_hour_after_end_then_daily_for_5_business_days(
    stack: Stack,
) -> None:
    client = await stack.client_user()  # billing time zone UTC
    job = await stack.job_post(client)
    start = await next_weekday_at(stack, THURSDAY, time(15, 0))
    end = start + timedelta(minutes=30)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    who = await requested(stack, client, job)
    assert (await claim(stack, who.contractor, who.interview_id, slot_id)).status_code == 200

    first = end + timedelta(hours=1)  # Thursday 16:30
    await skip_to(stack, first - timedelta(minutes=1))
    await exactly(stack, client.id, "outcome_reminder", 0)
    await skip_to(stack, first + timedelta(minutes=1))
    await exactly(stack, client.id, "outcome_reminder", 1)
    expected = [
        (timedelta(days=1), 2),  # Friday
        (timedelta(days=3), 2),  # Sunday: no reminder over the weekend
        (timedelta(days=4), 3),  # Monday
        (timedelta(days=5), 4),  # Tuesday
        (timedelta(days=6), 5),  # Wednesday
        (timedelta(days=7), 6),  # Thursday: the 5th business day after the first
        (timedelta(days=14), 6),  # and no more
    ]
    for after, count in expected:
        await skip_to(stack, first + after + timedelta(minutes=1))
        await exactly(stack, client.id, "outcome_reminder", count)
    await exactly(stack, who.contractor.id, "outcome_reminder", 0)

    recorded = await stack.http.post(
        f"/interviews/{who.interview_id}/outcome",
        json={"outcome": "completed"},
        headers=client.auth,
    )
    assert recorded.status_code == 200, recorded.text
    [nudge] = await notified(stack, who.contractor.id, "thank_interviewer_nudge", 1)
    assert "thank-you in the chat" in nudge.body_text
    await wait_for_stage(stack, who.candidacy_id, client, "decision_pending")


async def test_no_show_records_the_side_and_sends_no_thank_you_nudge(stack: Stack) -> None:
    client, who, _, end = await _booked(stack, timedelta(hours=4))
    await skip_to(stack, end + timedelta(minutes=5))
    missing_side = await stack.http.post(
        f"/interviews/{who.interview_id}/outcome",
        json={"outcome": "no_show"},
        headers=client.auth,
    )
    assert missing_side.status_code == 422
    recorded = await stack.http.post(
        f"/interviews/{who.interview_id}/outcome",
        json={"outcome": "no_show", "no_show_side": "contractor"},
        headers=client.auth,
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["outcome"]["no_show_side"] == "contractor"
    state = await wait_for_stage(stack, who.candidacy_id, client, "decision_pending")
    assert state["interviews"][-1]["outcome"] == "no_show"
    await exactly(stack, who.contractor.id, "thank_interviewer_nudge", 0)
    await exactly(stack, client.id, "outcome_reminder", 0)
    assert (await interview_state(stack, client, who.interview_id))["status"] == "no_show"
