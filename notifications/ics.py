"""Calendar invites for booked interviews: the .ics file (RFC 5545/5546) attached to the booking's
notification email, to each side.

One UID per interview (`<interview_id>@<relay_domain>`) for its whole life; SEQUENCE rises with
every change of the booking, so a calendar replaces the old event (METHOD:REQUEST) or removes it
(METHOD:CANCEL). Times are in UTC. Before hire neither side sees the other's address: the
organizer is the relay address and each copy names only its own recipient as attendee.

The email is an ordinary notification (one per event and recipient, in-app too), sent by the
notification service with a mailer that attaches the invite made for that message's recipient.
"""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from contracts.notify import CANCEL, REQUEST
from domain.interviews import join_token

PRODUCT_ID = "-//Hiring marketplace//Interviews//EN"


def invite_uid(interview_id: str, relay_domain: str) -> str:
    return f"{interview_id}@{relay_domain}"


def organizer_address(relay_domain: str) -> str:
    return f"interviews@{relay_domain}"


def build_invite(
    *,
    interview_id: str,
    relay_domain: str,
    method: str,
    sequence: int,
    start: datetime,
    end: datetime,
    stamp: datetime,
    summary: str,
    description: str,
    location: str,
    attendee_email: str | None = None,
) -> bytes:
    """The .ics bytes of one interview's invite (REQUEST) or its cancellation (CANCEL)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown invite method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", invite_uid(interview_id, relay_domain))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("status", "CONFIRMED" if method == REQUEST else "CANCELLED")
    organizer = vCalAddress(f"mailto:{organizer_address(relay_domain)}")
    organizer.params["cn"] = vText("Hiring marketplace")
    event["organizer"] = organizer
    if attendee_email:
        event.add(
            "attendee",
            f"mailto:{attendee_email}",
            parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"},
        )
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def invite_summary(job_title: str | None, round_number: int, kind: str) -> str:
    kind_words = kind.replace("_", " ")
    title = f": {job_title}" if job_title else ""
    return f"Interview, round {round_number} ({kind_words}){title}"


def join_link(public_base_url: str, secret: str, interview_id: str, sequence: int) -> str:
    """The video room's link for one booking: a moved or cancelled booking's link is refused."""
    token = join_token(secret, interview_id, sequence)
    return f"{public_base_url}/interviews/{interview_id}/join?token={token}"


def invite_description(public_base_url: str, interview_id: str, join_url: str) -> str:
    page = f"{public_base_url}/interviews/{interview_id}"
    return f"Interview details: {page}\nVideo room: {join_url} (opens 10 minutes before the start)"


def attaching_invite(method: str, make: Any) -> Any:
    """Attaches to each message the invite made for its recipient."""

    def attach(message: EmailMessage) -> None:
        data = make(parseaddr(str(message["To"]))[1])
        message.add_attachment(
            data,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method, "charset": "UTF-8"},
        )

    return attach
