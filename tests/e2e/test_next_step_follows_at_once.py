"""A 200 means the next step can follow at once: the whole hiring story, driven 50 times on the
time-skipping server through the API, each call made straight after the previous answer (no
polling, no waiting), a cancel followed at once by a new claim included, ends every time in a
hire, with no call refused and no interview or candidacy left behind."""

import asyncio
import time
from collections import Counter
from datetime import datetime

from tests.helpers import record_history, skip_to
from tests.hiring_story import AFTER_THE_END, Story
from tests.stack import Stack

STORIES = 50
BATCH = 25  # stories driven concurrently


async def _phase(stories: list[Story], step: str) -> list[Story]:
    """Run one phase of every story still going, concurrently; answers the ones that failed."""
    results = await asyncio.gather(*(getattr(s, step)() for s in stories), return_exceptions=True)
    failed = []
    for story, result in zip(stories, results, strict=True):
        if isinstance(result, BaseException):
            print(f"story {story.number}: {step} failed: {result!r}")
            failed.append(story)
    return failed


async def _after_the_ends(stack: Stack, stories: list[Story]) -> None:
    last: datetime = max(s.ends[-1] for s in stories)
    await skip_to(stack, last + AFTER_THE_END)


async def _drive(stack: Stack, stories: list[Story]) -> list[Story]:
    going = list(stories)
    stuck: list[Story] = []
    for step in ("to_round_one_rebooked", "to_round_two_booked", "to_hired"):
        failed = await _phase(going, step)
        stuck += failed
        going = [s for s in going if s not in failed]
        if step != "to_hired" and going:
            await _after_the_ends(stack, going)
    return stuck


async def test_the_hiring_story_follows_each_200_at_once_50_times(stack: Stack) -> None:
    began = time.monotonic()
    stories = [Story(stack, number) for number in range(STORIES)]
    stuck: list[Story] = []
    for first in range(0, STORIES, BATCH):
        stuck += await _drive(stack, stories[first : first + BATCH])
    refused = Counter(status for s in stories for _, status in s.refused)
    print(
        f"{STORIES} stories, {sum(len(s.answers) for s in stories)} calls in "
        f"{time.monotonic() - began:.1f}s; stuck: {len(stuck)}; refused: {dict(refused)}"
    )
    assert not stuck, f"stuck: {[s.number for s in stuck]} (the output says where)"
    assert not refused, [s.refused for s in stories if s.refused]
    for story in stories:
        for interview_id in story.interviews:
            assert story.client is not None
            state = await stack.http.get(f"/interviews/{interview_id}", headers=story.client.auth)
            assert state.json()["status"] == "completed"
    first = stories[0]
    await record_history(stack.env.client, first.candidacy_id, "candidacy_hired_each_step_at_once")
    await record_history(stack.env.client, first.interviews[0], "interview_rebooked_at_once")
