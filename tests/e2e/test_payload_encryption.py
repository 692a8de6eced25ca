"""No personal data in clear in Temporal: after a hiring story that writes marker strings (a
cancellation reason, a thread message, scorecard notes, an offer's rate and message, rejection
feedback), the histories as the server stores them, read with a client that has no codec, hold
none of them; through the codec they read again. Ids and search attributes stay readable.

The story runs on the time-skipping server: the interview's outcome can be recorded only after
its end, and the scorecard and the offer follow it."""

from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from core.codec import ENCODING, KEY_ID
from core.temporal import data_converter
from domain.ids import candidacy_workflow_id, interview_workflow_id, slot_pool_workflow_id
from domain.offers import offer_workflow_id
from tests.cancellation import cancel
from tests.helpers import wait_for_stage
from tests.offer_stage import ONE_ROUND, offer_terms
from tests.payloads import histories_of, history_payloads, is_search_attribute, raw_bytes
from tests.scheduling import booked, complete, decide, invited, now_of, request_interview, slot_ids
from tests.stack import Stack
from workflows.message_relay import relay_workflow_id

REASON = "Zebra-reason: my daughter's school play moved to that afternoon"
MESSAGE = "Zebra-message: my personal number is 0176 5550 1234"
NOTES = "Zebra-notes: candid about the burnout at her last employer"
OFFER_MESSAGE = "Zebra-offer: welcome aboard, Dana"
FEEDBACK = "Zebra-feedback: we hired someone with a stronger Kubernetes background"
RATE_CENTS = 731_953  # an hourly rate no other number of the story matches
# Written by the SDK's core, not through the codec: the id of a `workflow.patched` change.
PATCH_MARKERS = ".marker_recorded_event_attributes."
MARKERS = [REASON, MESSAGE, NOTES, OFFER_MESSAGE, FEEDBACK, str(RATE_CENTS)]


async def hiring_story(stack: Stack) -> list[str]:
    """A story through the API that writes every marker; the ids of the workflows it ran."""
    client = await stack.client_user()
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    contractor, candidacy_id = await invited(stack, client, job)
    start = (await now_of(stack) + timedelta(hours=3)).replace(second=0, microsecond=0)
    first, second = await slot_ids(
        stack, client, job["id"], [start, start + timedelta(hours=1)], minutes=15
    )
    interview_id = await request_interview(stack, client, candidacy_id)
    await booked(stack, contractor, interview_id, first)
    cancelled = await cancel(stack, contractor, interview_id, REASON)
    assert cancelled.status_code == 200, cancelled.text
    await booked(stack, contractor, interview_id, second)

    thread = await stack.http.post(
        "/threads", json={"contractor_id": contractor.id}, headers=client.auth
    )
    # 200 when the cancellation's system message has already opened the pair's thread.
    assert thread.status_code in (200, 201), thread.text
    sent = await stack.http.post(
        f"/threads/{thread.json()['id']}/messages", json={"body": MESSAGE}, headers=client.auth
    )
    assert sent.status_code == 201, sent.text

    await complete(stack, client, interview_id, start + timedelta(hours=1, minutes=15))
    card = await stack.http.post(
        f"/interviews/{interview_id}/scorecards",
        json={"rating": "yes", "notes": NOTES},
        headers=client.auth,
    )
    assert card.status_code == 201, card.text
    await wait_for_stage(stack, candidacy_id, client, "decision_pending")
    advanced = await decide(stack, client, candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    await wait_for_stage(stack, candidacy_id, client, "offer")
    today = (await now_of(stack)).date()
    terms = offer_terms(
        today + timedelta(days=7), hourly_rate_cents=RATE_CENTS, message=OFFER_MESSAGE
    )
    offer = await stack.http.post(
        f"/candidacies/{candidacy_id}/offers", json=terms, headers=client.auth
    )
    assert offer.status_code in (200, 201), offer.text

    other, other_candidacy_id = await invited(stack, client, job)
    rejected = await stack.http.post(
        f"/candidacies/{other_candidacy_id}/reject",
        json={"feedback": FEEDBACK},
        headers=client.auth,
    )
    assert rejected.status_code == 200, rejected.text
    await wait_for_stage(stack, other_candidacy_id, client, "rejected")

    return [
        candidacy_workflow_id(job["id"], contractor.id),
        interview_workflow_id(job["id"], contractor.id, 1),
        slot_pool_workflow_id(job["id"], 1),
        offer_workflow_id(job["id"], contractor.id),
        relay_workflow_id(sent.json()["id"]),
        candidacy_workflow_id(job["id"], other.id),
    ]


async def without_codec(stack: Stack) -> Client:
    """A client of the same server that knows no key: what a Temporal operator without the
    codec, or a backup of Temporal's database, sees."""
    config = stack.env.client.service_client.config
    return await Client.connect(
        config.target_host,
        namespace=stack.env.client.namespace,
        data_converter=pydantic_data_converter,
    )


async def opened_text(histories: list[WorkflowHistory]) -> str:
    codec = data_converter().payload_codec
    assert codec is not None
    payloads = [payload for _, payload in history_payloads(histories)]
    return b"\n".join(p.data for p in await codec.decode(payloads)).decode(errors="replace")


@pytest.fixture(scope="module")
async def story(stack: Stack) -> tuple[list[str], list[WorkflowHistory]]:
    """The story's workflow ids, and their histories read without the codec."""
    workflow_ids = await hiring_story(stack)
    return workflow_ids, await histories_of(await without_codec(stack), workflow_ids)


async def test_histories_hold_no_personal_data_in_clear_and_the_codec_reads_it(
    story: tuple[list[str], list[WorkflowHistory]],
) -> None:
    _, histories = story

    stored = raw_bytes(histories)
    assert stored, "the story left no history"
    for marker in MARKERS:
        assert marker.encode() not in stored, f"{marker!r} is stored in clear"
    sealed = 0
    for path, payload in history_payloads(histories):
        if is_search_attribute(path) or path.startswith(PATCH_MARKERS):
            continue
        assert payload.metadata["encoding"] == ENCODING, f"{path} is not sealed"
        assert payload.metadata[KEY_ID] == b"dev"
        sealed += 1
    assert sealed > 50

    # The thread message's body stays in the database: its relay carries the message's id.
    opened = await opened_text(histories)
    for marker in [REASON, NOTES, OFFER_MESSAGE, FEEDBACK, str(RATE_CENTS)]:
        assert marker in opened, f"{marker!r} does not read through the codec"


async def test_ids_and_search_attributes_stay_readable_and_hold_no_personal_data(
    story: tuple[list[str], list[WorkflowHistory]],
) -> None:
    workflow_ids, histories = story
    attributes = [
        (path, payload)
        for path, payload in history_payloads(histories)
        if is_search_attribute(path)
    ]
    assert attributes, "the story's workflows carry no search attribute"
    for path, payload in attributes:
        assert payload.metadata["encoding"] == b"json/plain", path
        text = payload.data.decode()
        assert not any(marker in text for marker in MARKERS), f"{path}: {text}"
    readable = {payload.data.decode() for _, payload in attributes}
    job_post_id = workflow_ids[0].split("-")[1]
    assert any(job_post_id in value for value in readable), readable

    for history in histories:
        started = history.events[0].workflow_execution_started_event_attributes
        assert started.workflow_type.name.endswith("Workflow")
    for workflow_id in workflow_ids:
        assert not any(marker in workflow_id for marker in MARKERS)
