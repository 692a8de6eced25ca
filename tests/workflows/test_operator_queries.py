"""Each question operators ask is one list query (workflows/operator_queries.py, shown in
README's "Finding runs"), run on a dev server: the test starts runs of each workflow type carrying
the search attributes their workflows keep (on a task queue no worker polls, so they stay as
started) and checks the exact set each query answers. That the workflows
keep these attributes current is tested in test_operator_view.py."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from tests.helpers import eventually
from workflows import operator_queries as q
from workflows import search_attributes as sa
from workflows import summaries


async def _start(client: Client, queue: str, kind: str, name: str, pairs: list[Any]) -> None:
    await client.start_workflow(
        kind,
        id=f"{queue}-{name}",
        task_queue=queue,
        search_attributes=TypedSearchAttributes(pairs),
        static_summary=f"{kind} {name}",
    )


async def _listed(client: Client, queue: str, query: str) -> set[str]:
    found = set()
    async for run in client.list_workflows(f'TaskQueue = "{queue}" AND {query}'):
        found.add(run.id.removeprefix(f"{queue}-"))
    return found


def _ids(job: str, contractor: str) -> list[Any]:
    return [
        SearchAttributePair(sa.JOB_POST_ID, job),
        SearchAttributePair(sa.CLIENT_ID, "co_1"),
        SearchAttributePair(sa.CONTRACTOR_ID, contractor),
    ]


async def test_each_operator_question_is_one_list_query(dev_env: WorkflowEnvironment) -> None:
    client = dev_env.client
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC).replace(microsecond=0)
    hour = timedelta(hours=1)
    runs: list[tuple[str, str, list[Any]]] = [
        # Candidacies: one decision overdue, one due later, one past due but no longer pending.
        ("CandidacyWorkflow", "overdue", [*_ids("jp_a", "u_1"),
            SearchAttributePair(sa.HIRING_STAGE, "decision_pending"),
            SearchAttributePair(sa.DUE_AT, now - hour)]),
        ("CandidacyWorkflow", "due-later", [*_ids("jp_a", "u_2"),
            SearchAttributePair(sa.HIRING_STAGE, "decision_pending"),
            SearchAttributePair(sa.DUE_AT, now + hour)]),
        ("CandidacyWorkflow", "in-offer", [*_ids("jp_b", "u_1"),
            SearchAttributePair(sa.HIRING_STAGE, "offer")]),
        # Offers: expiring within 48 h, in 3 days, and an answered one (no expiry kept).
        ("OfferWorkflow", "expires-tomorrow", [*_ids("jp_b", "u_1"),
            SearchAttributePair(sa.OFFER_STATUS, "open"),
            SearchAttributePair(sa.DUE_AT, now + 24 * hour)]),
        ("OfferWorkflow", "expires-in-3-days", [*_ids("jp_c", "u_3"),
            SearchAttributePair(sa.OFFER_STATUS, "countered"),
            SearchAttributePair(sa.DUE_AT, now + 72 * hour)]),
        ("OfferWorkflow", "declined", [*_ids("jp_a", "u_4"),
            SearchAttributePair(sa.OFFER_STATUS, "declined")]),
        # Interviews: booked at 10:00 and 14:00 tomorrow, one not booked.
        ("InterviewWorkflow", "at-10", [*_ids("jp_a", "u_1"),
            SearchAttributePair(sa.INTERVIEW_STATUS, "booked"),
            SearchAttributePair(sa.INTERVIEW_START_AT, now + 24 * hour)]),
        ("InterviewWorkflow", "at-14", [*_ids("jp_a", "u_2"),
            SearchAttributePair(sa.INTERVIEW_STATUS, "booked"),
            SearchAttributePair(sa.INTERVIEW_START_AT, now + 28 * hour)]),
        ("InterviewWorkflow", "awaiting-slot", [*_ids("jp_c", "u_3"),
            SearchAttributePair(sa.INTERVIEW_STATUS, "awaiting_slot")]),
        # Slot pools: one short with ops alerted, one not.
        ("SlotPoolWorkflow", "short", [SearchAttributePair(sa.JOB_POST_ID, "jp_a"),
            SearchAttributePair(sa.SLOTS_SHORT_SINCE, now - 2 * hour)]),
        ("SlotPoolWorkflow", "enough", [SearchAttributePair(sa.JOB_POST_ID, "jp_c")]),
        # Engagements: a week awaiting review, and one with none.
        ("EngagementWorkflow", "review-awaited", [*_ids("jp_d", "u_1"),
            SearchAttributePair(sa.ENGAGEMENT_STATUS, "active"),
            SearchAttributePair(sa.DUE_AT, now + 48 * hour)]),
        ("EngagementWorkflow", "all-reviewed", [*_ids("jp_e", "u_5"),
            SearchAttributePair(sa.ENGAGEMENT_STATUS, "active")]),
        ("MessageRelayWorkflow", "message", [SearchAttributePair(sa.CLIENT_ID, "co_1"),
            SearchAttributePair(sa.CONTRACTOR_ID, "u_1")]),
        ("JobPostCloseWorkflow", "close", [SearchAttributePair(sa.JOB_POST_ID, "jp_a"),
            SearchAttributePair(sa.CLOSE_STATUS, "running")]),
    ]  # fmt: skip
    for kind, name, pairs in runs:
        await _start(client, queue, kind, name, pairs)
    await eventually(
        lambda: _listed(client, queue, 'WorkflowId != ""'), lambda found: len(found) == len(runs)
    )

    expected = {
        q.decisions_overdue(now): {"overdue"},
        q.offers_expiring(now): {"expires-tomorrow"},
        q.interviews_booked_between(now + 23 * hour, now + 25 * hour): {"at-10"},
        q.interviews_booked_between(now + 24 * hour, now + 29 * hour): {"at-10", "at-14"},
        q.rounds_short_of_slots(): {"short"},
        q.reviews_awaited(): {"review-awaited"},
        q.about_contractor("u_1"): {
            "overdue", "in-offer", "expires-tomorrow", "at-10", "review-awaited", "message"
        },
        q.about_job_post("jp_a"): {
            "overdue", "due-later", "declined", "at-10", "at-14", "short", "close"
        },
    }  # fmt: skip
    for query, runs_expected in expected.items():
        assert await _listed(client, queue, query) == runs_expected, query


async def test_a_slot_pool_started_by_signal_shows_its_summary_and_details(
    dev_env: WorkflowEnvironment,
) -> None:
    """(The time-skipping server keeps neither for a signal-with-start.)"""
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    handle = await dev_env.client.start_workflow(
        "SlotPoolWorkflow",
        id=f"{queue}-pool",
        task_queue=queue,
        start_signal="contractor_waiting",
        static_summary=summaries.slot_pool_summary("jp_a", 1),
        static_details=summaries.slot_pool_details(),
    )
    described = await handle.describe()
    assert await described.static_summary() == "Interview slots of job post jp_a, round 1"
    assert await described.static_details() == summaries.slot_pool_details()
