"""Cancelling a booked interview (PRODUCT.md, "Cancellation and rescheduling"): either side,
before the start, with a required reason; the slot reopens while still bookable (unless the
client withdraws it); the other side is told why (with the calendar's CANCEL) and the pair's
thread gets a message; the round waits for a new claim; under 24 h before the start it is late;
no reminder fires after it. The client may also cancel a round's request, which the round can
then take again."""

from datetime import timedelta

from sqlmodel import select

from domain.ids import slot_pool_workflow_id
from store.models import Cancellation
from tests.cancellation import (
    booked_interview,
    cancel,
    last_thread_message,
    slot_row,
)
from tests.helpers import notified, record_history, skip_to, wait_for_stage
from tests.scheduling import (
    booked,
    cancel_invite,
    claim,
    exactly,
    interview_state,
    invites_eventually,
    now_of,
    request_interview,
    requested,
    slot_ids,
)
from tests.stack import Stack


async def test_cancel_then_rebook_by_the_same_and_another_contractor(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(days=3))
    client, job = ada.client, ada.job
    [later] = await slot_ids(stack, client, job["id"], [ada.start + timedelta(hours=2)])
    bob = await requested(stack, client, job)
    await invites_eventually(stack, client.email, 1)

    cancelled = await cancel(stack, ada.contractor, ada.interview_id, "A family emergency")

    assert cancelled.status_code == 200, cancelled.text
    state = cancelled.json()
    assert state["status"] == "awaiting_slot" and state["booking"] is None
    [record] = state["cancellations"]
    assert (record["side"], record["reason"], record["late"]) == (
        "contractor",
        "A family emergency",
        False,
    )
    assert record["slot_reopened"] is True
    slot = await slot_row(stack, ada.slot_id)
    assert (slot.status, slot.interview_id) == ("open", None)
    # The client hears why, with the calendar's CANCEL (SEQUENCE 1, the same UID).
    [told] = await notified(stack, client.id, "interview_cancelled")
    assert "A family emergency" in told.body_text
    await cancel_invite(stack, client.email, ada.interview_id)
    # The contractor who cancelled gets the CANCEL for their calendar, not the reason notice.
    await exactly(stack, ada.contractor.id, "interview_invite_cancelled", 1)
    await exactly(stack, ada.contractor.id, "interview_cancelled", 0)
    message = await last_thread_message(stack, client)
    assert message is not None and message["kind"] == "system"
    assert "A family emergency" in message["body"] and "contractor cancelled" in message["body"]

    # Another contractor takes the freed time; the same contractor books another one.
    assert (await claim(stack, bob.contractor, bob.interview_id, ada.slot_id)).status_code == 200
    await booked(stack, ada.contractor, ada.interview_id, later)
    rebooked = await interview_state(stack, ada.contractor, ada.interview_id)
    assert rebooked["status"] == "booked" and rebooked["booking"]["slot_id"] == later
    assert rebooked["sequence"] == 2
    invite = (await invites_eventually(stack, ada.contractor.email, 3))[-1][1]
    assert invite["METHOD"] == "REQUEST"
    assert int(invite.walk("VEVENT")[0]["SEQUENCE"]) == 2
    await record_history(stack.env.client, ada.interview_id, "interview_cancelled_and_rebooked")
    await record_history(stack.env.client, ada.interview_id, "interview_invites_off_the_story")
    # (The same, with every claim decided by the round's slot pool; then with the pool telling
    # the candidacy of each booking along with the interview.)
    await record_history(
        stack.env.client, ada.interview_id, "interview_pool_booked_cancelled_and_rebooked"
    )
    await record_history(
        stack.env.client, ada.interview_id, "interview_pool_told_candidacy_cancelled_and_rebooked"
    )
    # (Then with each invite sent within the workflow task that queued it.)
    await record_history(stack.env.client, ada.interview_id, "interview_one_upsert_per_booking")
    # (Then with each invite tried at once, as a local activity.)
    await record_history(stack.env.client, ada.interview_id, "interview_invites_at_once")
    await record_history(
        stack.env.client, slot_pool_workflow_id(job["id"], 1), "slot_pool_claims_and_a_release"
    )
    # (The same pool, gathering each burst of claims into one batch.)
    await record_history(
        stack.env.client,
        slot_pool_workflow_id(job["id"], 1),
        "slot_pool_gathered_claims_and_a_release",
    )


async def test_a_cancelled_contractor_waits_again_the_client_is_prompted_new_slots_are_told(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(days=4))
    await exactly(stack, ada.client.id, "slots_needed", 0)
    cancelled = await cancel(
        stack, ada.client, ada.interview_id, "Our interviewer is ill", withdraw_slot=True
    )
    assert cancelled.status_code == 200, cancelled.text
    [told] = await notified(stack, ada.contractor.id, "interview_cancelled")
    assert "Our interviewer is ill" in told.body_text
    # Waiting again with no open slot: the client is prompted for times.
    await exactly(stack, ada.client.id, "slots_needed", 1)

    await slot_ids(stack, ada.client, ada.job["id"], [ada.start + timedelta(days=1)])
    await exactly(stack, ada.contractor.id, "interview_slots_added", 1)


async def test_cancellation_under_24_hours_before_the_start_is_late(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    on_time = await booked_interview(stack, timedelta(days=2), client, job)
    late = await booked_interview(stack, timedelta(days=3), client, job)

    await skip_to(stack, on_time.start - timedelta(hours=24, minutes=1))
    not_late = await cancel(stack, on_time.contractor, on_time.interview_id, "Moving house")
    await skip_to(stack, late.start - timedelta(hours=23, minutes=59))
    was_late = await cancel(stack, late.contractor, late.interview_id, "Train strike")

    assert not_late.status_code == 200 and was_late.status_code == 200, was_late.text
    assert not_late.json()["cancellations"][-1]["late"] is False
    assert was_late.json()["cancellations"][-1]["late"] is True
    shown = await interview_state(stack, client, late.interview_id)
    assert shown["cancellations"][-1]["late"] is True
    assert shown["cancellations"][-1]["slot_reopened"] is True  # still 2 h ahead or more
    notices = await notified(stack, client.id, "interview_cancelled", 2)
    by_reason = {("Train strike" in n.body_text): n.body_text for n in notices}
    assert "late cancellation" in by_reason[True]
    assert "late cancellation" not in by_reason[False]


async def test_no_reminder_fires_after_a_cancellation_24_hours_or_1_hour_before(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    early = await booked_interview(stack, timedelta(days=3), client, job)
    late = await booked_interview(stack, timedelta(days=3, hours=4), client, job)

    # The first is cancelled before its 24 h reminder, the second between its two reminders.
    await skip_to(stack, early.start - timedelta(hours=25))
    assert (await cancel(stack, early.contractor, early.interview_id)).status_code == 200
    await skip_to(stack, late.start - timedelta(hours=23))
    await exactly(stack, late.contractor.id, "interview_reminder", 1)
    await skip_to(stack, late.start - timedelta(hours=1, minutes=30))
    assert (await cancel(stack, client, late.interview_id)).status_code == 200
    await skip_to(stack, late.start + timedelta(hours=2))

    await exactly(stack, early.contractor.id, "interview_reminder", 0)
    await exactly(stack, late.contractor.id, "interview_reminder", 1)  # the 24 h one only
    await exactly(stack, client.id, "interview_reminder", 1)
    async with stack.db.session() as session:
        dropped = set(await session.exec(select(Cancellation.subject_id)))
    # Whatever of those bookings was still being retried is dropped too.
    assert {f"{early.interview_id}:booking-0", f"{late.interview_id}:booking-0"} <= dropped


async def test_cancel_needs_a_reason_and_a_booking_not_yet_started(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(hours=5))
    path = f"/interviews/{ada.interview_id}/cancel"
    missing = await stack.http.post(path, json={}, headers=ada.contractor.auth)
    blank = await stack.http.post(path, json={"reason": "   "}, headers=ada.contractor.auth)
    by_contractor = await cancel(stack, ada.contractor, ada.interview_id, withdraw_slot=True)
    stranger = await cancel(stack, await stack.contractor(), ada.interview_id)
    assert (missing.status_code, blank.status_code) == (422, 422)
    assert by_contractor.status_code == 403
    assert stranger.status_code == 404

    await skip_to(stack, ada.start + timedelta(minutes=1))
    started = await cancel(stack, ada.contractor, ada.interview_id)
    request_started = await cancel(stack, ada.client, ada.interview_id, cancel_request=True)
    assert started.status_code == 409 and "started" in started.json()["detail"]
    assert request_started.status_code == 409
    state = await interview_state(stack, ada.client, ada.interview_id)
    assert state["status"] == "booked" and state["cancellations"] == []

    waiting = await requested(stack, ada.client, ada.job)
    nothing = await cancel(stack, waiting.contractor, waiting.interview_id)
    assert nothing.status_code == 409 and "nothing is booked" in nothing.json()["detail"]


async def test_the_client_may_withdraw_the_cancelled_slot(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    cancelled = await cancel(
        stack, ada.client, ada.interview_id, "We filled this time", withdraw_slot=True
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancellations"][-1]["slot_reopened"] is False
    assert (await slot_row(stack, ada.slot_id)).status == "withdrawn"
    listed = await stack.http.get(
        f"/job-posts/{ada.job['id']}/rounds/1/slots", headers=ada.contractor.auth
    )
    assert listed.status_code == 200 and listed.json() == []
    assert (await interview_state(stack, ada.contractor, ada.interview_id))[
        "status"
    ] == "awaiting_slot"


async def test_a_slot_too_close_to_book_is_not_reopened(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(hours=3))
    await skip_to(stack, ada.start - timedelta(hours=1, minutes=59))
    cancelled = await cancel(stack, ada.contractor, ada.interview_id, "Stuck in traffic")
    assert cancelled.status_code == 200, cancelled.text
    record = cancelled.json()["cancellations"][-1]
    assert (record["late"], record["slot_reopened"]) == (True, False)
    other = await requested(stack, ada.client, ada.job)
    refused = await claim(stack, other.contractor, other.interview_id, ada.slot_id)
    assert refused.status_code == 409 and "expired" in refused.json()["detail"]


async def test_cancelling_the_request_lets_the_client_request_the_round_again(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    client = ada.client
    await invites_eventually(stack, ada.contractor.email, 1)

    cancelled = await cancel(
        stack, client, ada.interview_id, "We are rethinking this round", cancel_request=True
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert (await slot_row(stack, ada.slot_id)).status == "open"
    [told] = await notified(stack, ada.contractor.id, "interview_cancelled")
    assert "We are rethinking this round" in told.body_text
    await cancel_invite(stack, ada.contractor.email, ada.interview_id)
    candidacy = await wait_for_stage(stack, ada.who.candidacy_id, client, "interviewing")
    assert candidacy["interviews"][-1]["status"] == "cancelled"

    again = await request_interview(stack, client, ada.who.candidacy_id, "Round one, again")
    assert again == ada.interview_id
    await notified(stack, ada.contractor.id, "interview_requested", 2)
    state = await interview_state(stack, ada.contractor, again)
    assert (state["status"], state["attempt"], state["cancellations"]) == ("awaiting_slot", 2, [])
    await booked(stack, ada.contractor, again, ada.slot_id)
    invite = (await invites_eventually(stack, ada.contractor.email, 3))[-1][1]
    assert invite["METHOD"] == "REQUEST"
    assert int(invite.walk("VEVENT")[0]["SEQUENCE"]) == 2  # on from the cancellation's
    candidacy = (
        await stack.http.get(f"/candidacies/{ada.who.candidacy_id}", headers=client.auth)
    ).json()
    assert [i["status"] for i in candidacy["interviews"]] == ["cancelled", "booked"]
    await record_history(stack.env.client, ada.who.candidacy_id, "candidacy_request_cancelled")


async def test_cancelling_a_request_with_nothing_booked(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    waiting = await requested(stack, client, job)
    by_contractor = await cancel(
        stack, waiting.contractor, waiting.interview_id, cancel_request=True
    )
    assert by_contractor.status_code == 403
    cancelled = await cancel(
        stack, client, waiting.interview_id, "Wrong candidate", cancel_request=True
    )
    assert cancelled.status_code == 200, cancelled.text
    [told] = await notified(stack, waiting.contractor.id, "interview_cancelled")
    assert "Wrong candidate" in told.body_text and "request" in told.body_text
    twice = await cancel(stack, client, waiting.interview_id, "Again", cancel_request=True)
    assert twice.status_code == 409
    start = await now_of(stack) + timedelta(days=2)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    refused = await claim(stack, waiting.contractor, waiting.interview_id, slot_id)
    assert refused.status_code == 409
    assert (await slot_row(stack, slot_id)).status == "open"
