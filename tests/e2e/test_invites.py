"""Calendar invites (.ics): one stable UID per interview, SEQUENCE raised on each change, start in
UTC, METHOD:REQUEST while booked and METHOD:CANCEL once cancelled; parsed back with icalendar."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from icalendar import Calendar

from contracts.notify import CANCEL, REQUEST
from notifications.ics import build_invite
from tests.scheduling import claim, invites_eventually, now_of, requested, slot_ids
from tests.stack import Stack

NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def _parse(data: bytes) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(data)
    return calendar, calendar.walk("VEVENT")[0]


def _invite(method: str, sequence: int) -> bytes:
    return build_invite(
        interview_id="interview-jp_abc-u_def-r2",
        relay_domain="relay.example.com",
        method=method,
        sequence=sequence,
        start=datetime(2026, 12, 1, 9, 30, tzinfo=NEW_YORK_WINTER),
        end=datetime(2026, 12, 1, 10, 30, tzinfo=NEW_YORK_WINTER),
        stamp=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        summary="Interview, round 2 (technical)",
        description="details",
        location="https://api.example.com/interviews/interview-jp_abc-u_def-r2/join",
        attendee_email="grace@example.com",
    )


def test_request_invite_has_stable_uid_sequence_and_utc_start() -> None:
    calendar, event = _parse(_invite(REQUEST, 0))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "interview-jp_abc-u_def-r2@relay.example.com"
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].to_ical() == b"20261201T143000Z"
    assert event["DTEND"].to_ical() == b"20261201T153000Z"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:interviews@relay.example.com"
    assert str(event["ATTENDEE"]) == "mailto:grace@example.com"


def test_cancel_invite_keeps_the_uid_with_a_higher_sequence() -> None:
    _, booked = _parse(_invite(REQUEST, 0))
    calendar, cancelled = _parse(_invite(CANCEL, 1))
    assert calendar["METHOD"] == "CANCEL"
    assert str(cancelled["UID"]) == str(booked["UID"])
    assert int(cancelled["SEQUENCE"]) == 1
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["DTSTART"].to_ical() == b"20261201T143000Z"


async def test_invite_route_answers_the_current_invite_to_each_side(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = (await now_of(stack) + timedelta(days=2)).replace(microsecond=0)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    who = await requested(stack, client, job)
    path = f"/interviews/{who.interview_id}/invite.ics"
    not_yet = await stack.http.get(path, headers=client.auth)
    assert not_yet.status_code == 409
    assert (await claim(stack, who.contractor, who.interview_id, slot_id)).status_code == 200

    for side in (who.contractor, client):
        response = await stack.http.get(path, headers=side.auth)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        calendar, event = _parse(response.content)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == f"{who.interview_id}@{stack.settings.relay_domain}"
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == start
        assert str(event["ATTENDEE"]) == f"mailto:{side.email}"
    stranger = await stack.contractor()
    assert (await stack.http.get(path, headers=stranger.auth)).status_code == 404

    await invites_eventually(stack, client.email, 1)
    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    assert closed.status_code == 200, closed.text
    [_, (_, emailed)] = await invites_eventually(stack, who.contractor.email, 2)
    assert emailed["METHOD"] == "CANCEL"
    response = await stack.http.get(path, headers=who.contractor.auth)
    assert response.status_code == 200
    calendar, event = _parse(response.content)
    assert calendar["METHOD"] == "CANCEL"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"{who.interview_id}@{stack.settings.relay_domain}"
