"""Slot rules of a job post round (PRODUCT.md, "Interview slots and scheduling"): minimum notice
2 h, at most 60 days ahead, the round's durations, no overlap with open or booked slots, expiry
once closer than the minimum notice, and claims answered at once (booked or 409 with a reason)."""

from datetime import timedelta

from sqlmodel import select

from store.models import Slot
from tests.helpers import skip_to
from tests.scheduling import claim, now_of, propose, requested, slot_ids
from tests.stack import Stack


async def test_minimum_notice_is_2_hours(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    now = await now_of(stack)
    too_soon = await propose(stack, client, job["id"], [now + timedelta(hours=1, minutes=59)])
    assert too_soon.status_code == 422
    assert "slots[0]" in too_soon.json()["detail"]
    assert "at least 2 hours" in too_soon.json()["detail"]
    in_time = await propose(stack, client, job["id"], [now + timedelta(hours=2, minutes=1)])
    assert in_time.status_code == 201, in_time.text


async def test_at_most_60_days_ahead(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    now = await now_of(stack)
    too_far = await propose(stack, client, job["id"], [now + timedelta(days=60, minutes=1)])
    assert too_far.status_code == 422
    assert "at most 60 days" in too_far.json()["detail"]
    last_day = await propose(stack, client, job["id"], [now + timedelta(days=59, hours=23)])
    assert last_day.status_code == 201, last_day.text


async def test_duration_must_be_allowed_for_the_round(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)  # default plan: screening 30, technical 60, final 45
    start = await now_of(stack) + timedelta(days=2)
    wrong = await propose(stack, client, job["id"], [start], minutes=45, round_number=1)
    assert wrong.status_code == 422
    assert "one of 15, 20, 30 minutes" in wrong.json()["detail"]
    technical = await propose(stack, client, job["id"], [start], minutes=60, round_number=2)
    assert technical.status_code == 201, technical.text
    no_round = await propose(stack, client, job["id"], [start], minutes=45, round_number=4)
    assert no_round.status_code == 404


async def test_no_overlap_with_open_or_booked_slots_of_the_job_post(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await now_of(stack) + timedelta(days=3)
    [open_id] = await slot_ids(stack, client, job["id"], [start])
    # Another round of the same job post counts too: one interviewer, one calendar.
    overlapping = await propose(
        stack, client, job["id"], [start + timedelta(minutes=15)], minutes=60, round_number=2
    )
    assert overlapping.status_code == 422
    assert "overlaps another open or booked slot" in overlapping.json()["detail"]
    within = await propose(
        stack,
        client,
        job["id"],
        [start + timedelta(hours=1), start + timedelta(hours=1, minutes=20)],
    )
    assert within.status_code == 422
    assert "slots[1]" in within.json()["detail"] and "in this request" in within.json()["detail"]
    back_to_back = await propose(stack, client, job["id"], [start + timedelta(minutes=30)])
    assert back_to_back.status_code == 201, back_to_back.text

    someone = await requested(stack, client, job)
    assert (
        await claim(stack, someone.contractor, someone.interview_id, open_id)
    ).status_code == 200
    still_taken = await propose(stack, client, job["id"], [start - timedelta(minutes=10)])
    assert still_taken.status_code == 422
    withdrawn = await stack.http.delete(
        f"/job-posts/{job['id']}/rounds/1/slots/{back_to_back.json()[0]['id']}",
        headers=client.auth,
    )
    assert withdrawn.status_code == 204
    freed = await propose(stack, client, job["id"], [start + timedelta(minutes=40)])
    assert freed.status_code == 201, freed.text


async def test_unclaimed_slot_expires_2_hours_before_start(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await now_of(stack) + timedelta(hours=3)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    waiting = await requested(stack, client, job)

    await skip_to(stack, start - timedelta(hours=2, minutes=1))
    listed = await stack.http.get(
        f"/job-posts/{job['id']}/rounds/1/slots", headers=waiting.contractor.auth
    )
    assert [s["id"] for s in listed.json()] == [slot_id]

    await skip_to(stack, start - timedelta(hours=1, minutes=59))
    listed = await stack.http.get(
        f"/job-posts/{job['id']}/rounds/1/slots", headers=waiting.contractor.auth
    )
    assert listed.json() == []
    late = await claim(stack, waiting.contractor, waiting.interview_id, slot_id)
    assert late.status_code == 409
    assert "expired" in late.json()["detail"]
    # An expired slot no longer blocks its time for new ones.
    again = await propose(stack, client, job["id"], [start + timedelta(minutes=10)])
    assert again.status_code == 201, again.text


async def test_claim_is_final_and_says_why_when_refused(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await now_of(stack) + timedelta(days=2)
    first_id, second_id = await slot_ids(
        stack, client, job["id"], [start, start + timedelta(hours=1)]
    )
    [round_two_id] = await slot_ids(
        stack, client, job["id"], [start + timedelta(hours=2)], minutes=60, n=2
    )
    ada, bob = await requested(stack, client, job), await requested(stack, client, job)

    booked = await claim(stack, ada.contractor, ada.interview_id, first_id)
    assert booked.status_code == 200, booked.text
    assert booked.json()["slot_id"] == first_id
    again = await claim(stack, ada.contractor, ada.interview_id, first_id)
    assert again.status_code == 200  # the same claim repeated answers the same booking
    taken = await claim(stack, bob.contractor, bob.interview_id, first_id)
    assert taken.status_code == 409 and "taken" in taken.json()["detail"]
    second = await claim(stack, ada.contractor, ada.interview_id, second_id)
    assert second.status_code == 409 and "already booked" in second.json()["detail"]
    other_round = await claim(stack, bob.contractor, bob.interview_id, round_two_id)
    assert other_round.status_code == 409 and "round 2" in other_round.json()["detail"]
    not_his = await claim(stack, bob.contractor, ada.interview_id, second_id)
    assert not_his.status_code == 404
    withdrawn = await stack.http.delete(
        f"/job-posts/{job['id']}/rounds/1/slots/{second_id}", headers=client.auth
    )
    assert withdrawn.status_code == 204
    gone = await claim(stack, bob.contractor, bob.interview_id, second_id)
    assert gone.status_code == 409 and "withdrawn" in gone.json()["detail"]
    booked_slot = await stack.http.delete(
        f"/job-posts/{job['id']}/rounds/1/slots/{first_id}", headers=client.auth
    )
    assert booked_slot.status_code == 409

    async with stack.db.session() as session:
        rows = {
            s.id: s for s in await session.exec(select(Slot).where(Slot.job_post_id == job["id"]))
        }
    assert rows[first_id].status == "booked" and rows[first_id].interview_id == ada.interview_id
    assert rows[second_id].status == "withdrawn"
