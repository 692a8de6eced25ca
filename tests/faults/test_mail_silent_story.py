"""SMTP down and back, through the whole hiring story on the time-skipping server: with the mail
server accepting connections and never answering, every call that changes something answers
within 2 s, from the application (or the invitation) to week 1's approved timesheet; once a real
mail server answers on that port, each recipient gets exactly one email per notification row of
theirs, none twice and none missing.

The interviews and the start of work are hours and days away, and the delivery retries back off
up to minutes apart: workflow time is skipped, never waited for."""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from store.models import Notification
from tests.faults.conftest import FaultOutcomes
from tests.helpers import notifications_of
from tests.hiring_story import AFTER_THE_END, Story
from tests.mail import MailServer, SilentServer
from tests.outage import ANSWER_WITHIN, RECOVERY_WITHIN
from tests.stack import Actor, Stack
from workflows.deliveries import unsent_workflow_id

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
STORIES = 2  # the first applies and is shortlisted, the second is invited
PHASE_WITHIN = 60.0  # seconds of wall time: far beyond the answers' bound, below a hang
RETRY_SKIP = timedelta(minutes=1)  # of workflow time between looks at the delivery, at most
DUE_MARGIN = timedelta(seconds=1)  # skipped past a retry's due moment
SKIP_STEP = timedelta(minutes=15)  # of workflow time: one skip the test server answers in time
SKIP_ANSWER_WITHIN = timedelta(minutes=2)  # of wall time, for the test server to answer a skip
# Each retry due while time is skipped waits this long (wall time) for the silent server's
# greeting: days of retries (about 900 attempts) pass in about 20 s. Once a real server answers,
# sends get the usual timeout back.
SMTP_TIMEOUT = 0.01

# What each side must at least have been told by the end of the story.
CONTRACTOR_TOLD = {"offer_received", "contract_signed"}
CLIENT_TOLD = {"offer_countered", "offer_accepted", "timesheet_submitted"}


@dataclass
class Calls:
    """The calls that change something, made through one HTTP client: how long each took to
    answer, and those not answered yet."""

    answered: list[tuple[float, str]] = field(default_factory=list)
    unanswered: dict[int, str] = field(default_factory=dict)


@asynccontextmanager
async def timed(http: httpx.AsyncClient) -> AsyncIterator[Calls]:
    calls = Calls()

    def what(request: httpx.Request) -> str:
        return f"{request.method} {request.url.path}"

    async def sent(request: httpx.Request) -> None:
        if request.method in MUTATING:
            request.extensions["sent_at"] = time.monotonic()
            calls.unanswered[id(request)] = what(request)

    async def answered(response: httpx.Response) -> None:
        request = response.request
        if request.method in MUTATING:
            took = time.monotonic() - request.extensions["sent_at"]
            calls.unanswered.pop(id(request), None)
            calls.answered.append((took, f"{what(request)} {response.status_code}"))

    hooks = http.event_hooks
    http.event_hooks = {
        "request": [*hooks["request"], sent],
        "response": [*hooks["response"], answered],
    }
    try:
        yield calls
    finally:
        http.event_hooks = hooks


async def _skip(stack: Stack, by: timedelta) -> None:
    """Skip workflow time by `by`. The test server answers once every retry due on the way has
    run, which may take longer than the client's default RPC timeout on a loaded machine."""
    request = SleepRequest()
    request.duration.FromTimedelta(by)
    await stack.env.client.test_service.unlock_time_skipping_with_sleep(
        request, timeout=SKIP_ANSWER_WITHIN
    )


async def _skip_to(stack: Stack, moment: datetime) -> None:
    """Skip workflow time to `moment` a step at a time: while sends fail, every retry due on the
    way runs, and one long skip outlasts the test server's answer."""
    while (now := await stack.env.get_current_time()) < moment:
        await _skip(stack, min(moment - now, SKIP_STEP))


async def _phase(stories: list[Story], step: str, calls: Calls) -> None:
    """One phase of every story, side by side; a call left without an answer fails it."""
    try:
        await asyncio.wait_for(
            asyncio.gather(*(getattr(story, step)() for story in stories)), PHASE_WITHIN
        )
    except TimeoutError:
        raise AssertionError(f"{step}: no answer to {list(calls.unanswered.values())}") from None


async def _drive(stack: Stack, stories: list[Story], calls: Calls) -> None:
    """The whole story, every one of them side by side, time skipped between the phases."""
    await _phase(stories, "to_round_one_rebooked", calls)
    for step in ("to_round_two_booked", "to_hired_after_a_counter"):
        await _skip_to(stack, max(s.ends[-1] for s in stories) + AFTER_THE_END)
        await _phase(stories, step, calls)
    await _skip_to(stack, max(s.week_one_under_way for s in stories))
    await _phase(stories, "to_week_one_approved", calls)


def _workflow_ids(story: Story) -> list[str]:
    """The story's workflows, and those sending what an interview left unsent as it ended."""
    assert story.contractor is not None
    hire = f"{story.job['id']}-{story.contractor.id}"
    unsent = [unsent_workflow_id(interview_id) for interview_id in story.interviews]
    return [story.candidacy_id, *story.interviews, f"offer-{hire}", f"engagement-{hire}", *unsent]


async def _sending(stack: Stack, stories: list[Story]) -> dict[str, datetime | None]:
    """The story's running workflows with an activity still under way or retrying: when its
    next attempt is due (None: an attempt is under way). A closed workflow runs nothing more."""
    busy: dict[str, datetime | None] = {}
    for story in stories:
        for workflow_id in _workflow_ids(story):
            try:
                description = await stack.env.client.get_workflow_handle(workflow_id).describe()
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:  # (nothing was left unsent)
                    continue
                raise
            if description.status != WorkflowExecutionStatus.RUNNING:
                continue
            for activity in description.raw_description.pending_activities:
                due = None
                if activity.state == PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED:
                    due = activity.next_attempt_schedule_time.ToDatetime(UTC)
                if workflow_id not in busy or due is None:
                    busy[workflow_id] = due
                else:
                    busy[workflow_id] = min(due, busy[workflow_id] or due)
    return busy


async def _until_next_retry(stack: Stack, busy: dict[str, datetime | None]) -> timedelta:
    """How far to skip for the next look: to the first retry due, at most RETRY_SKIP; a moment
    when only attempts under way are left (time does not skip while one runs)."""
    due = [moment for moment in busy.values() if moment is not None]
    if not due:
        return DUE_MARGIN
    now = await stack.env.get_current_time()
    return max(DUE_MARGIN, min(RETRY_SKIP, min(due) - now + DUE_MARGIN))


async def _rows(stack: Stack, people: list[Actor]) -> dict[str, list[Notification]]:
    return {person.id: await notifications_of(stack, person.id) for person in people}


async def _delivered(stack: Stack, stories: list[Story], people: list[Actor]) -> None:
    """Until nothing is left to send: no activity of the story under way or retrying, and every
    notification row emailed. Between looks, skips workflow time to the next retry due (at most
    RETRY_SKIP: each skip answers in time), so the retries' backoff passes; fails after
    RECOVERY_WITHIN seconds of wall time."""
    deadline = time.monotonic() + RECOVERY_WITHIN
    while True:
        busy = await _sending(stack, stories)
        unsent = [
            (row.user_id, row.kind)
            for rows in (await _rows(stack, people)).values()
            for row in rows
            if row.emailed_at is None
        ]
        if not busy and not unsent:
            return
        assert time.monotonic() < deadline, f"still sending: {busy}; not emailed: {unsent}"
        await _skip(stack, await _until_next_retry(stack, busy))


async def test_with_the_mail_server_silent_every_call_of_the_hiring_story_answers_within_2_s_and_each_notice_is_emailed_once(  # noqa: E501
    stack: Stack, fault_outcomes: FaultOutcomes
) -> None:
    silent = SilentServer()
    await silent.start()
    timeout_before = stack.settings.smtp_timeout_seconds
    stack.settings.smtp_port = silent.port
    stack.settings.smtp_timeout_seconds = SMTP_TIMEOUT
    stories = [Story(stack, number) for number in range(STORIES)]
    try:
        async with timed(stack.http) as calls:
            await _drive(stack, stories, calls)
        held = silent.accepted
        await silent.stop()
        stack.settings.smtp_timeout_seconds = timeout_before
        mail = MailServer(silent.port)  # a real server answers on the same port now
        mail.start()
        try:
            people = [p for s in stories for p in (s.client, s.contractor) if p is not None]
            recovery_began = time.monotonic()
            await _delivered(stack, stories, people)
            recovered_in = time.monotonic() - recovery_began
            rows_before = await _rows(stack, people)
            received = list(mail.messages)
            rows_after = await _rows(stack, people)
        finally:
            mail.stop()
    finally:
        stack.settings.smtp_port = stack.mail.port
        stack.settings.smtp_timeout_seconds = timeout_before
        await silent.stop()

    timings = calls.answered
    slowest, call = max(timings)
    print(
        f"\n{len(timings)} calls that change something, with the mail server silent "
        f"({held} connections held): slowest {slowest:.2f}s ({call})"
    )
    assert slowest < ANSWER_WITHIN, sorted(timings, reverse=True)[:5]
    statuses = Counter(what.rsplit(" ", 1)[1] for _, what in timings)
    assert set(statuses) <= {"200", "201"}, statuses

    # Each email is one row's (its Message-ID names the row), to that row's recipient: every row
    # emailed once, none twice, none without a row.
    emails = Counter(str(m["Message-ID"]) for m in received)
    twice = [message_id for message_id, count in emails.items() if count > 1]
    assert not twice, twice

    def message_id(row: Notification) -> str:
        return f"<{row.id}@{stack.settings.relay_domain}>"

    known = {message_id(row) for rows in rows_after.values() for row in rows}
    assert set(emails) <= known, set(emails) - known
    for person in people:
        to_them = {str(m["Message-ID"]) for m in received if person.email in str(m["To"])}
        missing = [row.kind for row in rows_before[person.id] if message_id(row) not in to_them]
        assert not missing, (person.email, missing)
    for story in stories:
        assert story.client is not None and story.contractor is not None
        assert CLIENT_TOLD <= {row.kind for row in rows_after[story.client.id]}
        assert CONTRACTOR_TOLD <= {row.kind for row in rows_after[story.contractor.id]}
    print(
        f"after recovery: {len(received)} emails to {len(people)} people in "
        f"{recovered_in:.1f}s, one per notification row, none twice"
    )
    fault_outcomes.add(
        "SMTP never answers, then recovers",
        f"the hiring story x{STORIES} (apply/invite to week 1 approved): "
        f"{len(timings)} calls that change something",
        f"slowest answer {slowest:.2f}s (< {ANSWER_WITHIN:.0f}s); then {len(received)} emails, "
        "1 per notification row, none twice",
    )
