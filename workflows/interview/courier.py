"""How an interview keeps its candidacy's view of the round current: a courier of its own tells
the candidacy each change as it happens (signal `interview_changed`), and the update `caught_up`
answers once it has."""

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import InterviewRef, InterviewStatus
    from contracts.slot_pool import INTERVIEW_CHANGED
    from workflows.interview.base import InterviewBase
    from workflows.interview.stopping import Stoppable


class CandidacyCourier(Stoppable, InterviewBase):
    async def _tell_parent(self) -> None:
        """Keep the candidacy's view of this round current (it decides on overdue work). With
        a courier (`_keep_candidacy_current`), wait until the candidacy has the current view."""
        if workflow.info().parent is None:
            return
        if self.courier is not None:
            await workflow.wait_condition(self._candidacy_caught_up)
            return
        await self._signal_parent()

    async def _keep_candidacy_current(self) -> None:
        """Tell the candidacy each change of this interview as it happens, one at a time, not
        only when the story comes to it (an announcement under way may take a while)."""

        def news() -> bool:
            return self.over or self._story_cancelled() or self._parent_view() != self.parent_told

        while True:
            await workflow.wait_condition(news)
            if self.over or self._story_cancelled():
                return
            await self._signal_parent()

    async def _signal_parent(self) -> None:
        parent = workflow.info().parent
        assert parent is not None
        told = self._parent_view()
        if told == self.parent_told:
            return
        self.parent_told = told
        status, start, end = told
        ref = InterviewRef(
            interview_id=self.start.interview_id,
            round=self.start.round,
            status=status,
            start=start,
            end=end,
        )
        try:
            # CandidacyWorkflow.interview_changed, by its name: workflows/candidacy.py imports
            # this package, so its handler cannot be referenced from here.
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                INTERVIEW_CHANGED, ref
            )
        except Exception as error:  # noqa: BLE001 - the parent may have ended
            if is_cancelled_exception(error):  # this signal was cancelled with the story
                raise
            workflow.logger.info("candidacy %s no longer takes signals", parent.workflow_id)
        self.parent_knows = told

    def _parent_view(self) -> tuple[str, datetime | None, datetime | None]:
        if self.candidacy_reads_bookings and self.state.status == InterviewStatus.BOOKED:
            return (InterviewStatus.AWAITING_SLOT.value, None, None)  # it reads the booking here
        booking = self.state.booking
        return (
            self.state.status.value,
            booking.start if booking else None,
            booking.end if booking else None,
        )

    def _candidacy_caught_up(self) -> bool:
        """The candidacy shows this interview as it stands (or there is nothing more to tell)."""
        if workflow.info().parent is None or self.over or self._story_cancelled():
            return True
        return self.parent_knows == self._parent_view()
