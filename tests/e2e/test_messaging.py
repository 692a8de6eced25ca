"""Threads between a client company and a contractor: messages by API and by email through the
relay address, privacy before hire (no addresses anywhere, contact details masked), the
workforce panel after hire, and the activities workflows use."""

import json
import re
from email.message import EmailMessage, Message
from typing import Any

from temporalio.testing import ActivityEnvironment

from activities.messages import MessageActivities
from contracts.messages import MarkHired, SystemMessage
from domain.masking import EMAIL_MASK, PHONE_MASK
from tests.helpers import eventually, record_history
from tests.stack import Actor, Stack
from workflows.message_relay import relay_workflow_id

SECRET = {"X-Inbound-Secret": "dev-inbound-secret"}


async def _candidate_pair(stack: Stack, **contractor: Any) -> tuple[Actor, Actor, dict[str, Any]]:
    """A client and a contractor who applied to one of the client's job posts."""
    client = await stack.client_user()
    applicant = await stack.contractor(**contractor)
    job = await stack.job_post(client)
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=applicant.auth)
    assert applied.status_code == 201, applied.text
    return client, applicant, job


async def _thread(stack: Stack, client: Actor, contractor: Actor) -> dict[str, Any]:
    started = await stack.http.post(
        "/threads", json={"contractor_id": contractor.id}, headers=client.auth
    )
    assert started.status_code == 201, started.text
    return dict(started.json())


def _relayed_to(stack: Stack, address: str) -> list[Message]:
    """Thread messages emailed to the address (not the hiring notifications it also gets)."""
    return [m for m in stack.mail.to(address) if "thread-" in str(m["Reply-To"] or "")]


async def _mail_to(stack: Stack, address: str, count: int) -> list[Message]:
    return list(
        await eventually(lambda: _async(_relayed_to(stack, address)), lambda m: len(m) >= count)
    )


async def _async(value: Any) -> Any:
    return value


def _headers_text(message: Message) -> str:
    return "\n".join(f"{k}: {v}" for k, v in message.items())


def _plain(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _html(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _reply(sender: str, to: str, body: str, message_id: str, quoted: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = f"Someone <{sender}>"
    reply["To"] = to
    reply["Subject"] = "Re: a message"
    reply["Message-ID"] = message_id
    reply.set_content(
        f"{body}\n\nOn Tue, 24 Nov 2026 at 14:30, Someone via Hiring <{to}> wrote:\n"
        + "\n".join(f"> {line}" for line in quoted.splitlines())
        + "\n"
    )
    return bytes(reply)


async def test_message_round_trip_by_email_and_back_by_reply(stack: Stack) -> None:
    client, contractor, _ = await _candidate_pair(stack)
    thread = await _thread(stack, client, contractor)
    assert thread["panel"] == "marketplace"
    again = await stack.http.post(
        "/threads", json={"contractor_id": contractor.id}, headers=client.auth
    )
    assert again.status_code == 200 and again.json()["id"] == thread["id"]

    text = (
        "Hi! Write to ada.private@northwind.example or ada [at] northwind [dot] com, "
        "or call +44 20 7946 0958. Budget $1,200.00 from 2026-11-21 at 09:30."
    )
    sent = await stack.http.post(
        f"/threads/{thread['id']}/messages", json={"body": text}, headers=client.auth
    )
    assert sent.status_code == 201, sent.text
    masked = (
        f"Hi! Write to {EMAIL_MASK} or {EMAIL_MASK}, "
        f"or call {PHONE_MASK}. Budget $1,200.00 from 2026-11-21 at 09:30."
    )
    assert sent.json()["body"] == masked

    [email] = await _mail_to(stack, contractor.email, 1)
    relay = re.fullmatch(r".*<(thread-[0-9a-z]+@relay\.hiring\.local)>", str(email["From"]))
    assert relay, email["From"]
    address = relay.group(1)
    assert str(email["Reply-To"]) == address
    assert email["Message-ID"].endswith("@relay.hiring.local>")
    everything = _headers_text(email) + _plain(email) + _html(email)
    assert client.email not in everything
    assert "ada.private" not in everything and "7946" not in everything
    assert masked in _plain(email)
    assert "$1,200.00" in _plain(email) and "2026-11-21" in _plain(email)

    reply = _reply(
        contractor.email,
        address,
        "Sounds good. My cell is (415) 555-0123.\n\n-- \nGrace\ngrace@home.example",
        "<reply-1@mail.example>",
        text,
    )
    posted = await stack.http.post(
        "/inbound-email",
        content=reply,
        headers={**SECRET, "Content-Type": "message/rfc822"},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "posted"

    detail = await stack.http.get(f"/threads/{thread['id']}", headers=client.auth)
    assert detail.status_code == 200
    newest = detail.json()["messages"]["items"][0]
    assert newest["sender"]["id"] == contractor.id
    assert newest["body"] == f"Sounds good. My cell is {PHONE_MASK}."
    assert contractor.email not in detail.text and client.email not in detail.text

    [back] = await _mail_to(stack, client.email, 1)
    assert str(back["Reply-To"]) == address and address in str(back["From"])
    back_text = _headers_text(back) + _plain(back) + _html(back)
    assert contractor.email not in back_text and "555-0123" not in back_text
    assert f"Sounds good. My cell is {PHONE_MASK}." in _plain(back)
    assert "On Tue, 24 Nov 2026" not in _plain(back) and "grace@home" not in back_text

    duplicate = await stack.http.post(
        "/inbound-email", content=reply, headers={**SECRET, "Content-Type": "message/rfc822"}
    )
    assert duplicate.status_code == 200 and duplicate.json()["status"] == "duplicate"
    detail = await stack.http.get(f"/threads/{thread['id']}", headers=contractor.auth)
    assert detail.json()["messages"]["total"] == 2
    assert client.email not in detail.text
    relay = stack.env.client.get_workflow_handle(relay_workflow_id(sent.json()["id"]))
    assert await relay.result() == 1
    await record_history(stack.env.client, relay.id, "message_relayed")


async def test_inbound_email_refuses_bad_secret_unknown_thread_and_strangers(stack: Stack) -> None:
    client, contractor, _ = await _candidate_pair(stack)
    thread = await _thread(stack, client, contractor)
    await stack.http.post(
        f"/threads/{thread['id']}/messages", json={"body": "hello"}, headers=client.auth
    )
    [email] = await _mail_to(stack, contractor.email, 1)
    address = str(email["Reply-To"])
    stranger = await stack.contractor()

    def form(sender: str, to: str) -> dict[str, Any]:
        return {"from": sender, "to": to, "text": "hi there"}

    no_secret = await stack.http.post("/inbound-email", json=form(contractor.email, address))
    assert no_secret.status_code == 401
    wrong = await stack.http.post(
        "/inbound-email",
        json=form(contractor.email, address),
        headers={"X-Inbound-Secret": "guess"},
    )
    assert wrong.status_code == 401
    unknown = await stack.http.post(
        "/inbound-email",
        json=form(contractor.email, "thread-zzzzzzzz@relay.hiring.local"),
        headers=SECRET,
    )
    assert unknown.status_code == 404
    not_ours = await stack.http.post(
        "/inbound-email", json=form(contractor.email, "someone@else.example"), headers=SECRET
    )
    assert not_ours.status_code == 404
    not_a_party = await stack.http.post(
        "/inbound-email", json=form(stranger.email, address), headers=SECRET
    )
    assert not_a_party.status_code == 422
    only_quotes = await stack.http.post(
        "/inbound-email",
        json={"from": contractor.email, "to": address, "text": "> hello\n> again"},
        headers=SECRET,
    )
    assert only_quotes.status_code == 422
    ok = await stack.http.post(
        "/inbound-email",
        json={"from": f"G <{contractor.email.upper()}>", "to": [address], "text": "Hi back!"},
        headers=SECRET,
    )
    assert ok.status_code == 201, ok.text
    auto = EmailMessage()
    auto["From"] = contractor.email
    auto["To"] = address
    auto["Auto-Submitted"] = "auto-replied"
    auto.set_content("I am out of the office")
    ignored = await stack.http.post(
        "/inbound-email", content=bytes(auto), headers={**SECRET, "Content-Type": "message/rfc822"}
    )
    assert ignored.status_code == 202 and ignored.json()["status"] == "ignored"
    detail = await stack.http.get(f"/threads/{thread['id']}", headers=client.auth)
    assert [m["body"] for m in detail.json()["messages"]["items"]] == ["Hi back!", "hello"]


async def test_only_the_two_sides_see_a_thread(stack: Stack) -> None:
    client, contractor, _ = await _candidate_pair(stack)
    thread = await _thread(stack, client, contractor)
    other_client = await stack.client_user()
    other_contractor = await stack.contractor()
    ops = await stack.ops()
    for outsider in (other_client, other_contractor, ops):
        seen = await stack.http.get(f"/threads/{thread['id']}", headers=outsider.auth)
        assert seen.status_code == 404
        posted = await stack.http.post(
            f"/threads/{thread['id']}/messages", json={"body": "hi"}, headers=outsider.auth
        )
        assert posted.status_code == 404
    for outsider in (other_client, other_contractor):
        listed = await stack.http.get("/threads", headers=outsider.auth)
        assert thread["id"] not in [t["id"] for t in listed.json()["items"]]
    # No candidacy with the company: no thread to start.
    refused = await stack.http.post(
        "/threads", json={"contractor_id": other_contractor.id}, headers=client.auth
    )
    assert refused.status_code == 404
    # The contractor may open the same thread from their side.
    mine = await stack.http.post(
        "/threads", json={"company_id": client.company_id}, headers=contractor.auth
    )
    assert mine.status_code == 200 and mine.json()["id"] == thread["id"]
    assert client.email not in mine.text
    # Another member of the company sees it too.
    colleague = await stack.colleague(client)
    seen = await stack.http.get(f"/threads/{thread['id']}", headers=colleague.auth)
    assert seen.status_code == 200 and seen.json()["company"]["id"] == client.company_id


async def test_after_hire_the_thread_is_in_the_workforce_panel_and_nothing_is_masked(
    stack: Stack,
) -> None:
    client, contractor, _ = await _candidate_pair(stack)
    thread = await _thread(stack, client, contractor)
    text = "Call me at +49 30 901820 or grace@home.example"
    await stack.http.post(
        f"/threads/{thread['id']}/messages", json={"body": text}, headers=contractor.auth
    )
    [before] = await _mail_to(stack, client.email, 1)
    assert text not in _plain(before)

    activities = MessageActivities(stack.db, stack.settings)
    hired = await ActivityEnvironment().run(
        activities.mark_hired,
        MarkHired(company_id=client.company_id or "", contractor_id=contractor.id),
    )
    assert hired == thread["id"]
    workforce = await stack.http.get("/threads?panel=workforce", headers=client.auth)
    assert [t["id"] for t in workforce.json()["items"]] == [thread["id"]]
    marketplace = await stack.http.get("/threads?panel=marketplace", headers=client.auth)
    assert thread["id"] not in [t["id"] for t in marketplace.json()["items"]]
    detail = await stack.http.get(f"/threads/{thread['id']}", headers=client.auth)
    assert detail.json()["panel"] == "workforce"
    assert detail.json()["messages"]["items"][0]["body"] == text

    await stack.http.post(
        f"/threads/{thread['id']}/messages", json={"body": text}, headers=contractor.auth
    )
    emails = await _mail_to(stack, client.email, 2)
    assert text in _plain(emails[1])


async def test_system_messages_land_in_the_thread_once_per_event(stack: Stack) -> None:
    client = await stack.client_user()
    contractor = await stack.contractor()
    activities = MessageActivities(stack.db, stack.settings)
    notice = SystemMessage(
        company_id=client.company_id or "",
        contractor_id=contractor.id,
        body="The round 1 interview on Tue 24 Nov was cancelled: a conflict came up.",
        event_key="interview-jp_x-u_y-r1:cancelled",
    )
    first = await ActivityEnvironment().run(activities.post_system_message, notice)
    second = await ActivityEnvironment().run(activities.post_system_message, notice)
    assert first == second
    listed = await stack.http.get("/threads?panel=marketplace", headers=contractor.auth)
    [thread] = listed.json()["items"]
    assert thread["last_message"]["kind"] == "system"
    assert thread["last_message"]["sender"] is None
    detail = await stack.http.get(f"/threads/{thread['id']}", headers=client.auth)
    assert detail.json()["messages"]["total"] == 1
    assert not _relayed_to(stack, contractor.email)


async def test_threads_list_most_recent_first_and_never_show_addresses(stack: Stack) -> None:
    client = await stack.client_user()
    threads = []
    for _ in range(3):
        contractor = await stack.contractor()
        job = await stack.job_post(client)
        await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
        threads.append((await _thread(stack, client, contractor))["id"])
    await stack.http.post(
        f"/threads/{threads[0]}/messages", json={"body": "x"}, headers=client.auth
    )
    listed = await stack.http.get("/threads?per_page=2", headers=client.auth)
    body = listed.json()
    assert body["total"] == 3 and len(body["items"]) == 2
    assert body["items"][0]["id"] == threads[0]
    assert "@example.com" not in json.dumps(body)
    bad = await stack.http.get("/threads?panel=elsewhere", headers=client.auth)
    assert bad.status_code == 422
