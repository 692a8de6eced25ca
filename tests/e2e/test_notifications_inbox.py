"""The notification service (in-app and email, once per event and recipient, in the recipient's
time zone, nothing about a cancelled interview) and the in-app inbox API."""

import dataclasses
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from typing import Any

from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.messages import MessageActivities
from activities.notify import NotifyActivities
from contracts.messages import MarkHired
from contracts.notify import CancelNotifications, NotifyRequest
from domain.masking import EMAIL_MASK, PHONE_MASK
from notifications.samples import sample_context
from store.models import Notification
from tests.stack import Actor, Stack
from workflows.policies import DELIVERY


def _html(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _plain(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


# What the notification service adds itself; the tests check it does.
_ENRICHED = {
    "recipient_name",
    "job_post_title",
    "contractor_name",
    "company_id",
    "company_name",
    "base_url",
}


def _workflow_context(template: str) -> dict[str, Any]:
    """A template's sample values as a workflow would pass them."""
    return {k: v for k, v in sample_context(template).items() if k not in _ENRICHED}


def _request(template: str, recipient_ids: list[str], **context: Any) -> NotifyRequest:
    """A workflow's request to tell the recipients of a new event, with the template's sample
    values and `context`."""
    return NotifyRequest(
        event_key=f"test-{uuid.uuid4().hex}:{template}",
        template=template,
        recipient_ids=recipient_ids,
        context={**_workflow_context(template), **context},
    )


async def _rows(stack: Stack, event_key: str) -> list[Notification]:
    async with stack.db.session() as session:
        return list(
            await session.exec(select(Notification).where(Notification.event_key == event_key))
        )


async def _send(stack: Stack, request: NotifyRequest) -> int:
    activities = NotifyActivities(stack.db, stack.settings)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=DELIVERY.start_to_close)
    sent: int = await env.run(activities.send_notification, request)
    return sent


async def _user(stack: Stack, tz: str) -> Actor:
    return await stack.user("contractor", "Reader", tz=tz)


async def test_one_notification_per_event_and_recipient_whatever_the_retries(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    request = _request(
        "shortlisted",
        [contractor.id, client.id, contractor.id],
        job_post_id=job["id"],
        contractor_id=contractor.id,
    ).model_copy(update={"link": "/candidacies/x"})
    assert await _send(stack, request) == 2
    assert await _send(stack, request) == 0
    assert await _send(stack, request) == 0
    rows = await _rows(stack, request.event_key)
    assert sorted(r.user_id for r in rows) == sorted([contractor.id, client.id])
    assert all(r.emailed_at is not None for r in rows)
    to_contractor = [m for m in stack.mail.to(contractor.email) if "shortlisted" in m["Subject"]]
    assert len(to_contractor) == 1
    assert len([m for m in stack.mail.to(client.email) if "shortlisted" in m["Subject"]]) == 1
    # The job post is named by its title, never by its id.
    body = _plain(to_contractor[0])
    assert "“Customer support lead”" in body and job["id"] not in body
    assert (
        to_contractor[0]["Message-ID"]
        == f"<{[r.id for r in rows if r.user_id == contractor.id][0]}@relay.hiring.local>"
    )


async def test_times_are_shown_in_each_recipients_time_zone(stack: Stack) -> None:
    paris = await _user(stack, "Europe/Paris")
    new_york = await _user(stack, "America/New_York")
    start = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    request = _request(
        "interview_booked",
        [paris.id, new_york.id],
        start=start,
        end=start.replace(minute=45),
        job_post_id="jp_none",
    )
    assert await _send(stack, request) == 2
    [to_paris] = stack.mail.to(paris.email)
    [to_new_york] = stack.mail.to(new_york.email)
    assert to_paris["Subject"] == "Interview booked: Tue 24 Nov 2026, 14:30 CET"
    assert to_new_york["Subject"] == "Interview booked: Tue 24 Nov 2026, 08:30 EST"
    assert "14:45 CET" in _plain(to_paris) and "08:45 EST" in _plain(to_new_york)
    # An unknown job post is shown by its id rather than failing the notification.
    assert "jp_none" in _plain(to_paris)


async def test_nothing_is_sent_about_a_cancelled_interview(stack: Stack) -> None:
    reader = await _user(stack, "UTC")
    interview_id = f"interview-jp_{uuid.uuid4().hex[:8]}-{reader.id}-r1"
    activities = NotifyActivities(stack.db, stack.settings)
    cancel = CancelNotifications(subject_id=interview_id, reason="client cancelled")
    await ActivityEnvironment().run(activities.cancel_notifications, cancel)
    await ActivityEnvironment().run(activities.cancel_notifications, cancel)  # idempotent
    start = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    request = NotifyRequest(
        event_key=f"{interview_id}:reminder-1h",
        template="interview_booked",
        recipient_ids=[reader.id],
        context={
            **_workflow_context("interview_booked"),
            "start": start,
            "end": start,
            "job_post_id": "jp_x",
        },
        subject_id=interview_id,
    )
    assert await _send(stack, request) == 0
    assert await _rows(stack, request.event_key) == []
    assert stack.mail.to(reader.email) == []
    # Another interview's notifications still go out.
    other = request.model_copy(update={"subject_id": interview_id + "0", "event_key": "k2"})
    assert await _send(stack, other) == 1


async def test_html_is_escaped_in_emails(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor(name="<script>alert(1)</script>")
    job = await stack.job_post(client, title="Support <b>lead</b>")
    request = _request(
        "application_received", [client.id], job_post_id=job["id"], contractor_id=contractor.id
    )
    assert await _send(stack, request) == 1
    [email] = [m for m in stack.mail.to(client.email) if m["Subject"].startswith("New application")]
    html = _html(email)
    assert "<script>" not in html and "<b>lead" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Support &lt;b&gt;lead&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in _plain(email)


async def test_inbox_lists_counts_unread_and_marks_read(stack: Stack) -> None:
    reader = await _user(stack, "UTC")
    stranger = await _user(stack, "UTC")
    for n in range(5):
        request = NotifyRequest(
            event_key=f"inbox-{reader.id}-{n}",
            template="shortlisted",
            recipient_ids=[reader.id],
            context={**_workflow_context("shortlisted"), "job_post_title": f"Job {n}"},
            at=datetime(2026, 11, 20, 9, n, tzinfo=UTC),
        )
        await _send(stack, request)
    first = await stack.http.get("/notifications?per_page=2", headers=reader.auth)
    assert first.status_code == 200
    page = first.json()
    assert page["total"] == 5 and page["unread_count"] == 5 and len(page["items"]) == 2
    newest = page["items"][0]
    assert "Job 4" in newest["body_text"] and newest["read_at"] is None
    assert newest["kind"] == "shortlisted" and "@" not in newest["body_text"]

    read = await stack.http.post(f"/notifications/{newest['id']}/read", headers=reader.auth)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await stack.http.post(f"/notifications/{newest['id']}/read", headers=reader.auth)
    assert again.json()["read_at"] == read.json()["read_at"]

    unread = await stack.http.get("/notifications?unread_only=true", headers=reader.auth)
    assert unread.json()["total"] == 4 and unread.json()["unread_count"] == 4
    assert newest["id"] not in [n["id"] for n in unread.json()["items"]]
    last_page = await stack.http.get("/notifications?per_page=2&page=3", headers=reader.auth)
    assert len(last_page.json()["items"]) == 1

    theirs = await stack.http.post(f"/notifications/{newest['id']}/read", headers=stranger.auth)
    assert theirs.status_code == 404
    assert (
        await stack.http.post("/notifications/nt_nope/read", headers=reader.auth)
    ).status_code == 404
    empty = await stack.http.get("/notifications", headers=stranger.auth)
    assert empty.json()["total"] == 0 and empty.json()["unread_count"] == 0
    assert (await stack.http.get("/notifications")).status_code == 401


async def test_contact_details_in_one_sides_words_are_masked_before_hire_only(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    words = "Before the call, email me at ada@northwind.example or call +44 20 7946 0958."

    def request() -> NotifyRequest:
        return _request(
            "interview_requested",
            [contractor.id],
            job_post_id=job["id"],
            contractor_id=contractor.id,
            message=words,
        )

    before = request()
    assert await _send(stack, before) == 1
    [row] = await _rows(stack, before.event_key)
    assert "ada@northwind" not in row.body_text + row.body_html and "7946" not in row.body_text
    assert EMAIL_MASK in row.body_text and PHONE_MASK in row.body_text

    activities = MessageActivities(stack.db, stack.settings)
    hired = MarkHired(company_id=client.company_id or "", contractor_id=contractor.id)
    await ActivityEnvironment().run(activities.mark_hired, hired)
    after = request()
    assert await _send(stack, after) == 1
    [row] = await _rows(stack, after.event_key)
    assert words in row.body_text
