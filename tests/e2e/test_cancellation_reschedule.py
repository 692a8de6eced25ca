"""Rescheduling (PRODUCT.md, "Cancellation and rescheduling"): a booking moves to another open
slot in one step, the new slot booked before the old one is released; a taken slot leaves the old
booking as it was; the invite keeps its UID with a higher SEQUENCE and the old join link stops
working; the contractor may move a round's booking twice, the client as often as needed; not
once the interview has started."""

from datetime import timedelta

from domain.ids import slot_pool_workflow_id
from tests.cancellation import (
    booked_interview,
    booked_slots,
    join_token_of,
    reschedule,
    slot_row,
)
from tests.helpers import eventually, notified, record_history, skip_to
from tests.scheduling import (
    booked,
    exactly,
    interview_state,
    invites_eventually,
    requested,
    slot_ids,
)
from tests.stack import Stack


async def test_reschedule_to_a_taken_slot_keeps_the_old_booking(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    [taken] = await slot_ids(stack, ada.client, ada.job["id"], [ada.start + timedelta(hours=1)])
    bob = await requested(stack, ada.client, ada.job)
    await booked(stack, bob.contractor, bob.interview_id, taken)
    await invites_eventually(stack, ada.contractor.email, 1)

    refused = await reschedule(stack, ada.contractor, ada.interview_id, taken, "Earlier suits me")

    assert refused.status_code == 409
    assert "taken" in refused.json()["detail"]
    state = await interview_state(stack, ada.contractor, ada.interview_id)
    assert state["booking"]["slot_id"] == ada.slot_id
    assert (state["status"], state["sequence"], state["reschedules"]) == ("booked", 0, [])
    assert state["contractor_reschedules_left"] == 2  # a refused move does not count
    old = await slot_row(stack, ada.slot_id)
    assert (old.status, old.interview_id) == ("booked", ada.interview_id)
    # (Bob's row follows his 200 in the slot pool's next batch.)
    other = await eventually(lambda: slot_row(stack, taken), lambda row: row.status == "booked")
    assert other.interview_id == bob.interview_id
    await exactly(stack, ada.contractor.id, "interview_rescheduled", 0)
    invites = await invites_eventually(stack, ada.contractor.email, 1)
    assert len(invites) == 1 and int(invites[0][1].walk("VEVENT")[0]["SEQUENCE"]) == 0


async def test_reschedule_raises_the_sequence_of_the_same_uid_and_the_old_join_link_fails(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    new_start = ada.start + timedelta(hours=3)
    [new_slot] = await slot_ids(stack, ada.client, ada.job["id"], [new_start])
    [(_, first)] = await invites_eventually(stack, ada.contractor.email, 1)
    old_token = join_token_of(first)

    moved = await reschedule(stack, ada.client, ada.interview_id, new_slot, "The panel moved")

    assert moved.status_code == 200, moved.text
    state = moved.json()
    assert state["booking"]["slot_id"] == new_slot and state["sequence"] == 1
    [move] = state["reschedules"]
    assert (move["side"], move["from_slot_id"], move["to_slot_id"]) == (
        "client",
        ada.slot_id,
        new_slot,
    )
    assert (await slot_row(stack, ada.slot_id)).status == "open"  # released after the new one
    assert (await slot_row(stack, new_slot)).interview_id == ada.interview_id
    for side in (ada.contractor, ada.client):
        invites = await invites_eventually(stack, side.email, 2)
        calendar = invites[-1][1]
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == f"{ada.interview_id}@{stack.settings.relay_domain}"
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == new_start
        assert str(invites[-1][0]["Subject"]).startswith("Interview moved")
    [told] = await notified(stack, ada.contractor.id, "interview_rescheduled")
    assert "The panel moved" in told.body_text
    new_token = join_token_of((await invites_eventually(stack, ada.contractor.email, 2))[-1][1])
    assert new_token != old_token

    join = f"/interviews/{ada.interview_id}/join"
    await skip_to(stack, ada.start - timedelta(minutes=5))  # the old time
    at_old_time = await stack.http.get(join, headers=ada.contractor.auth)
    old_link = await stack.http.get(join, params={"token": old_token}, headers=ada.contractor.auth)
    assert at_old_time.status_code == 409 and "opens at" in at_old_time.json()["detail"]
    assert old_link.status_code == 409 and "earlier booking" in old_link.json()["detail"]
    await skip_to(stack, new_start - timedelta(minutes=5))
    old_link = await stack.http.get(join, params={"token": old_token}, headers=ada.contractor.auth)
    new_link = await stack.http.get(join, params={"token": new_token}, headers=ada.contractor.auth)
    assert old_link.status_code == 409
    assert new_link.status_code == 200, new_link.text
    assert new_token not in new_link.json()["url"]  # the link's token is not the room's name


async def test_third_contractor_reschedule_is_refused_the_client_may_still_move_it(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(days=3))
    starts = [ada.start + timedelta(hours=h) for h in (1, 2, 3, 4, 5)]
    one, two, three, four, five = await slot_ids(stack, ada.client, ada.job["id"], starts)

    first = await reschedule(stack, ada.contractor, ada.interview_id, one)
    second = await reschedule(stack, ada.contractor, ada.interview_id, two)
    third = await reschedule(stack, ada.contractor, ada.interview_id, three)

    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert second.json()["contractor_reschedules_left"] == 0
    assert third.status_code == 409
    assert "only the client can reschedule now" in third.json()["detail"]
    assert (await slot_row(stack, three)).status == "open"
    by_client = await reschedule(stack, ada.client, ada.interview_id, four)
    again = await reschedule(stack, ada.client, ada.interview_id, five)
    assert (by_client.status_code, again.status_code) == (200, 200), again.text
    state = again.json()
    assert state["booking"]["slot_id"] == five and state["sequence"] == 4
    assert [m["side"] for m in state["reschedules"]] == [
        "contractor",
        "contractor",
        "client",
        "client",
    ]
    assert [s.id for s in await booked_slots(stack, ada.job["id"])] == [five]
    await record_history(stack.env.client, ada.interview_id, "interview_rescheduled")
    await record_history(
        stack.env.client, ada.interview_id, "interview_pool_booked_rescheduled_through_the_pool"
    )
    await record_history(
        stack.env.client, ada.interview_id, "interview_rescheduled_one_upsert_per_booking"
    )
    await record_history(
        stack.env.client, ada.interview_id, "interview_rescheduled_invites_at_once"
    )
    await record_history(
        stack.env.client, slot_pool_workflow_id(ada.job["id"], 1), "slot_pool_moves"
    )


async def test_no_reschedule_once_the_interview_started_or_without_a_booking(
    stack: Stack,
) -> None:
    ada = await booked_interview(stack, timedelta(hours=4))
    [later] = await slot_ids(stack, ada.client, ada.job["id"], [ada.start + timedelta(days=1)])
    same = await reschedule(stack, ada.contractor, ada.interview_id, ada.slot_id)
    assert same.status_code == 409 and "already booked in this slot" in same.json()["detail"]
    await skip_to(stack, ada.start + timedelta(minutes=1))

    started = await reschedule(stack, ada.client, ada.interview_id, later)

    assert started.status_code == 409 and "started" in started.json()["detail"]
    assert (await slot_row(stack, later)).status == "open"
    waiting = await requested(stack, ada.client, ada.job)
    nothing = await reschedule(stack, waiting.contractor, waiting.interview_id, later)
    assert nothing.status_code == 409 and "nothing is booked" in nothing.json()["detail"]


async def test_reschedule_to_another_rounds_slot_is_refused(stack: Stack) -> None:
    ada = await booked_interview(stack, timedelta(days=2))
    [round_two] = await slot_ids(
        stack, ada.client, ada.job["id"], [ada.start + timedelta(hours=2)], minutes=60, n=2
    )
    refused = await reschedule(stack, ada.contractor, ada.interview_id, round_two)
    assert refused.status_code == 409 and "round 2" in refused.json()["detail"]
    state = await interview_state(stack, ada.contractor, ada.interview_id)
    assert state["booking"]["slot_id"] == ada.slot_id
