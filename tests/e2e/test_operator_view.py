"""What an operator sees of each run in the Temporal UI: every workflow type keeps its own status
search attribute and the deadline operators chase current on every change; each run has a static
summary and details, current details saying what it waits for and until when, described
signals, updates and queries (the built-in `__temporal_workflow_metadata` query and `describe`),
and timers and activities with summaries in its history."""

import json
from datetime import datetime, timedelta
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle

from domain.decision_clock import contractor_update_at
from domain.ids import slot_pool_workflow_id
from domain.offers import EXPIRES_AFTER
from tests.helpers import eventually, skip_to, ticking, wait_for_stage
from tests.offer_stage import ONE_ROUND, offer_terms
from tests.scheduling import booked, complete, decide, invited, request_interview, slot_ids
from tests.stack import Stack
from workflows import search_attributes as sa
from workflows.common import at_utc


def _handle(stack: Stack, workflow_id: str) -> WorkflowHandle[Any, Any]:
    return stack.env.client.get_workflow_handle(workflow_id)


class _Attributes(dict[str, Any]):
    def get(self, key: Any, default: Any = None) -> Any:  # by SearchAttributeKey
        return super().get(key.name, default)


async def _attributes(stack: Stack, workflow_id: str) -> _Attributes:
    """The run's search attributes. Read from the raw description: the time-skipping server
    keeps an unset datetime attribute as a null value (the dev server drops it)."""
    client = stack.env.client
    described = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    fields = described.workflow_execution_info.search_attributes.indexed_fields
    found = _Attributes()
    for name, payload in fields.items():
        value = json.loads(payload.data) if payload.data else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None and payload.metadata.get("type") == b"Datetime":
            value = datetime.fromisoformat(value)
        if value is not None:
            found[name] = value
    return found


async def _metadata(stack: Stack, workflow_id: str) -> WorkflowMetadata:
    meta: WorkflowMetadata = await _handle(stack, workflow_id).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    return meta


async def _history_summaries(stack: Stack, workflow_id: str) -> list[str]:
    """The summaries of the run's timers and activities, as the UI reads them (decoded)."""
    client = stack.env.client
    history = await _handle(stack, workflow_id).fetch_history()
    found = []
    for event in history.events:
        if event.HasField("user_metadata") and event.user_metadata.HasField("summary"):
            [text] = await client.data_converter.decode([event.user_metadata.summary], [str])
            found.append(text)
    return found


async def _tells_its_story(
    stack: Stack, workflow_id: str, handlers: set[str], static: bool = True
) -> str:
    """Checks the run's static summary and details, that each of `handlers` (all it has) is
    described, and answers its current details."""
    if static:
        described = await _handle(stack, workflow_id).describe()
        assert await described.static_summary(), workflow_id
        assert await described.static_details(), workflow_id
    definition = (await _metadata(stack, workflow_id)).definition
    own = [
        *definition.signal_definitions,
        *definition.update_definitions,
        *definition.query_definitions,
    ]
    own = [d for d in own if not d.name.startswith("__")]
    assert {d.name for d in own} == handlers, workflow_id
    assert all(d.description for d in own), [d.name for d in own if not d.description]
    details = (await _metadata(stack, workflow_id)).current_details
    assert details, workflow_id
    return details


CANDIDACY_HANDLERS = {
    "shortlist",
    "reject",
    "withdraw",
    "close",
    "request_interview",
    "interview_closed",
    "decision_taken",
    "offer_outcome_taken",
    "decide",
    "submit_scorecard",
    "offer_outcome",
    "interview_changed",
    "status",
}
INTERVIEW_HANDLERS = {
    "claim",
    "cancel",
    "reschedule",
    "candidacy_ended",
    "submit_assessment",
    "extend_assessment",
    "waive_assessment",
    "record_outcome",
    "caught_up",
    "slot_booked",
    "status",
}
OFFER_HANDLERS = {"accept", "decline", "counter", "revise", "withdraw", "status"}
ENGAGEMENT_HANDLERS = {
    "submit_timesheet",
    "approve_timesheet",
    "dispute_timesheet",
    "change_terms",
    "end",
    "status",
}
POOL_HANDLERS = {
    "claim",
    "release",
    "add_slots",
    "withdraw",
    "close_round",
    "contractor_waiting",
    "contractor_left",
    "interview_ended",
    "slots_added",
    "slots_withdrawn",
    "status",
    "open_slots",
    "held_slot",
    "known_slots",
}


async def test_each_workflow_keeps_its_status_and_deadline_current_and_tells_its_story(
    stack: Stack,
) -> None:
    client = await stack.client_user()
    job = await stack.job_post(client, interview_plan=ONE_ROUND)
    contractor, candidacy_id = await invited(stack, client, job)
    details = await _tells_its_story(stack, candidacy_id, CANDIDACY_HANDLERS)
    assert details == "Waiting for the client to request the round 1 of 1 interview"

    # The interview: its status, and its start once booked.
    start = (await stack.env.get_current_time() + timedelta(hours=3)).replace(
        second=0, microsecond=0
    )
    end = start + timedelta(minutes=15)
    [slot_id] = await slot_ids(stack, client, job["id"], [start], minutes=15)
    interview_id = await request_interview(stack, client, candidacy_id)
    waiting = await eventually(
        lambda: _attributes(stack, interview_id),
        lambda found: found.get(sa.INTERVIEW_STATUS) == "awaiting_slot",
    )
    assert waiting.get(sa.INTERVIEW_START_AT) is None
    assert waiting.get(sa.CONTRACTOR_ID) == contractor.id
    await booked(stack, contractor, interview_id, slot_id)
    # (The claim answers once the slot pool has decided; the interview takes the booking in,
    # and shows it to operators, a moment later.)
    attributes = await eventually(
        lambda: _attributes(stack, interview_id),
        lambda found: found.get(sa.INTERVIEW_STATUS) == "booked",
    )
    assert attributes.get(sa.INTERVIEW_START_AT) == start
    details = await _tells_its_story(stack, interview_id, INTERVIEW_HANDLERS)
    assert details == f"Round 1 (screening): booked, booked {at_utc(start)} to {at_utc(end)}"
    pool_id = slot_pool_workflow_id(job["id"], 1)
    # (The time-skipping server keeps no summary or details of a signal-with-start: the dev
    # server shows them, see test_operator_queries.py.)
    pool_details = await _tells_its_story(stack, pool_id, POOL_HANDLERS, static=False)
    assert pool_details.startswith("Round 1: 0 waiting, "), pool_details
    # The interview's reminders are timers named after what they are for.
    reminder = f"interview reminder 1h before at {at_utc(start - timedelta(hours=1))}"
    await eventually(lambda: _history_summaries(stack, interview_id), lambda s: reminder in s)

    # The candidacy: the decision's due moment while one is pending, and nothing after.
    await complete(stack, client, interview_id, end)
    await wait_for_stage(stack, candidacy_id, client, "decision_pending")
    due = contractor_update_at(end, "UTC")
    attributes = await eventually(
        lambda: _attributes(stack, candidacy_id),
        lambda found: found.get(sa.HIRING_STAGE) == "decision_pending",
    )
    assert attributes.get(sa.DUE_AT) == due
    assert (await _attributes(stack, interview_id)).get(sa.INTERVIEW_STATUS) == "completed"
    details = (await _metadata(stack, candidacy_id)).current_details
    assert details == f"Waiting for the client's decision on round 1, due {at_utc(due)}"
    advanced = await decide(stack, client, candidacy_id, "advance")
    assert advanced.status_code == 200, advanced.text
    attributes = await _attributes(stack, candidacy_id)
    assert attributes.get(sa.HIRING_STAGE) == "offer"
    assert attributes.get(sa.DUE_AT) is None

    # The offer: its status, and its expiry while it awaits the answer.
    now = await stack.env.get_current_time()
    sent = await stack.http.post(
        f"/candidacies/{candidacy_id}/offers",
        json=offer_terms(now.date() + timedelta(days=7)),
        headers=client.auth,
    )
    assert sent.status_code == 201, sent.text
    offer_id = sent.json()["offer_id"]
    attributes = await eventually(
        lambda: _attributes(stack, offer_id),
        lambda found: found.get(sa.DUE_AT) is not None,
    )
    assert attributes.get(sa.OFFER_STATUS) == "open"
    assert attributes.get(sa.HIRING_STAGE) is None  # the candidacy's stage is the candidacy's
    expires_at = attributes.get(sa.DUE_AT)
    assert expires_at - EXPIRES_AFTER <= now + timedelta(minutes=1)
    details = await _tells_its_story(stack, offer_id, OFFER_HANDLERS)
    assert (
        details == f"Waiting for the contractor's answer to version 1, expires {at_utc(expires_at)}"
    )
    assert any(
        text.startswith("offer reminder (version 1, day 5)")
        for text in await _history_summaries(stack, offer_id)
    )
    accepted = await stack.http.post(
        f"/offers/{offer_id}/accept", json={"version": 1}, headers=contractor.auth
    )
    assert accepted.status_code == 200, accepted.text
    attributes = await _attributes(stack, offer_id)
    assert attributes.get(sa.OFFER_STATUS) == "accepted"
    assert attributes.get(sa.DUE_AT) is None

    # The engagement: its status, and the review a submitted week awaits.
    engagement_id = accepted.json()["engagement_id"]
    attributes = await _attributes(stack, engagement_id)
    assert attributes.get(sa.ENGAGEMENT_STATUS) == "scheduled"
    assert "next: " in await _tells_its_story(stack, engagement_id, ENGAGEMENT_HANDLERS)
    await skip_to(stack, now + timedelta(days=8))
    submitted = await ticking(
        stack,
        lambda: stack.http.post(
            f"/engagements/{engagement_id}/timesheets",
            json={"week": 1, "hours": 20},
            headers=contractor.auth,
        ),
        lambda response: response.status_code == 200,
    )
    review_until = submitted.json()["review_until"]
    attributes = await _attributes(stack, engagement_id)
    assert attributes.get(sa.ENGAGEMENT_STATUS) == "active"
    assert attributes.get(sa.DUE_AT).isoformat().replace("+00:00", "Z") == review_until
    approved = await stack.http.post(
        f"/engagements/{engagement_id}/timesheets/1/approve", headers=client.auth
    )
    assert approved.status_code == 200, approved.text
    assert (await _attributes(stack, engagement_id)).get(sa.DUE_AT) is None

    # The close of the job post: its status once it has run.
    closed = await stack.http.post(f"/job-posts/{job['id']}/close", headers=client.auth)
    assert closed.status_code == 200, closed.text
    close_id = f"close-{job['id']}"
    await _handle(stack, close_id).result()
    assert (await _attributes(stack, close_id)).get(sa.CLOSE_STATUS) == "finished"
    assert (await _tells_its_story(stack, close_id, {"progress"})).startswith("Close finished")

    # A thread message's relay.
    thread = await stack.http.post(
        "/threads", json={"contractor_id": contractor.id}, headers=client.auth
    )
    assert thread.status_code in (200, 201), thread.text
    message = await stack.http.post(
        f"/threads/{thread.json()['id']}/messages", json={"body": "Hello"}, headers=client.auth
    )
    assert message.status_code == 201, message.text
    relay_id = f"message-{message.json()['id']}"
    await _handle(stack, relay_id).result()
    assert (await _tells_its_story(stack, relay_id, set())).endswith("emailed: 1 sent")
    relayed = f"email message {message.json()['id']} to the other side"
    assert relayed in await _history_summaries(stack, relay_id)
