"""Reprompting (PRODUCT.md, "Reprompting"): while contractors wait and open slots are fewer than
them, the owner is prompted at most once per 24 h per job post round; after 3 unanswered prompts
ops are alerted and the waiting contractors told scheduling is delayed; new slots are announced to
the contractors waiting and answer the prompts."""

from datetime import timedelta

from domain.ids import slot_pool_workflow_id
from tests.helpers import record_history
from tests.scheduling import claim, exactly, now_of, propose, requested, settle, slot_ids
from tests.stack import Stack
from workflows.slot_pool import SlotPoolWorkflow


async def test_client_prompted_once_per_24_hours_then_ops_alerted_after_3_prompts(
    stack: Stack,
) -> None:
    ops_one, ops_two = await stack.ops(), await stack.ops()
    client = await stack.client_user()
    job = await stack.job_post(client)
    await slot_ids(stack, client, job["id"], [await now_of(stack) + timedelta(days=20)])
    ada = await requested(stack, client, job)
    await exactly(stack, client.id, "slots_needed", 0)  # one waiting, one open slot: enough

    bob = await requested(stack, client, job)  # two waiting, one open slot: short
    await exactly(stack, client.id, "slots_needed", 1)
    await stack.env.sleep(timedelta(hours=1))
    cyd = await requested(stack, client, job)  # still short: no second prompt within 24 h
    await exactly(stack, client.id, "slots_needed", 1)

    await stack.env.sleep(timedelta(hours=22, minutes=58))  # 23 h 58 min after the first
    await exactly(stack, client.id, "slots_needed", 1)
    await stack.env.sleep(timedelta(minutes=3))
    await exactly(stack, client.id, "slots_needed", 2)
    await stack.env.sleep(timedelta(hours=24))
    await exactly(stack, client.id, "slots_needed", 3)
    for waiting in (ada, bob, cyd):
        await exactly(stack, waiting.contractor.id, "scheduling_delayed", 0)
    await exactly(stack, ops_one.id, "slot_shortage_ops_alert", 0)

    # The third prompt has its 24 h too; then ops hear of it, every one of them.
    await stack.env.sleep(timedelta(hours=24))
    await exactly(stack, ops_one.id, "slot_shortage_ops_alert", 1)
    await exactly(stack, ops_two.id, "slot_shortage_ops_alert", 1)
    for waiting in (ada, bob, cyd):
        await exactly(stack, waiting.contractor.id, "scheduling_delayed", 1)
    await exactly(stack, client.id, "slots_needed", 3)
    await stack.env.sleep(timedelta(days=3))
    await exactly(stack, client.id, "slots_needed", 3)
    await exactly(stack, ops_one.id, "slot_shortage_ops_alert", 1)

    pool = await stack.env.client.get_workflow_handle(slot_pool_workflow_id(job["id"], 1)).query(
        SlotPoolWorkflow.status
    )
    assert pool.prompts_unanswered == 3 and pool.ops_alerted
    assert {m.contractor_id for m in pool.waiting} == {
        ada.contractor.id,
        bob.contractor.id,
        cyd.contractor.id,
    }
    await record_history(
        stack.env.client, slot_pool_workflow_id(job["id"], 1), "slot_pool_ops_alerted"
    )


async def test_new_slots_are_announced_to_waiting_contractors_and_answer_the_prompts(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    ada = await requested(stack, client, job)  # waiting, no slot at all
    await exactly(stack, client.id, "slots_needed", 1)

    start = await now_of(stack) + timedelta(days=5)
    [slot_id] = await slot_ids(stack, client, job["id"], [start])
    await exactly(stack, ada.contractor.id, "interview_slots_added", 1)
    assert (await claim(stack, ada.contractor, ada.interview_id, slot_id)).status_code == 200

    bob = await requested(stack, client, job)
    await stack.env.sleep(timedelta(hours=12))
    await exactly(stack, client.id, "slots_needed", 1)  # the 24 h since the first still run
    await stack.env.sleep(timedelta(hours=12, minutes=1))
    await exactly(stack, client.id, "slots_needed", 2)
    await exactly(stack, ada.contractor.id, "interview_slots_added", 1)  # booked: not told again

    pool_id = slot_pool_workflow_id(job["id"], 1)
    handle = stack.env.client.get_workflow_handle(pool_id)
    before = await handle.query(SlotPoolWorkflow.status)
    assert before.prompts_unanswered == 1  # the shortage ended with the booking: a new streak
    added = await propose(stack, client, job["id"], [start + timedelta(hours=1)])
    assert added.status_code == 201
    await exactly(stack, bob.contractor.id, "interview_slots_added", 1)
    await settle(stack)
    after = await handle.query(SlotPoolWorkflow.status)
    assert after.prompts_unanswered == 0 and after.open_slots == 1


async def test_no_prompt_while_open_slots_cover_the_waiting_contractors(stack: Stack) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client)
    start = await now_of(stack) + timedelta(days=4)
    await slot_ids(stack, client, job["id"], [start, start + timedelta(hours=1)])
    await requested(stack, client, job)
    await requested(stack, client, job)
    await stack.env.sleep(timedelta(days=2))
    await exactly(stack, client.id, "slots_needed", 0)
    await requested(stack, client, job)  # three waiting, two slots
    await exactly(stack, client.id, "slots_needed", 1)
