"""An interview's take-home assessment: sent first when the round has one, due in N days
(reminder 24 h before; overdue, the client is told and extends, advances anyway or rejects); the
interview becomes bookable once it is submitted or waived."""

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.hiring import AssessmentExtension, AssessmentState, InterviewStatus
    from domain.assessments import due_at, reminder_at
    from domain.plans import Assessment
    from workflows.interview.base import InterviewBase
    from workflows.interview.courier import CandidacyCourier
    from workflows.interview.notices import Announcing
    from workflows.interview.stopping import Stoppable
    from workflows.refusals import conflict

ASSESSMENT_STATUSES = (InterviewStatus.AWAITING_ASSESSMENT, InterviewStatus.ASSESSMENT_OVERDUE)


class TakeHome(CandidacyCourier, Announcing, Stoppable, InterviewBase):
    async def _take_home(self, spec: Assessment) -> None:
        sent = workflow.now()
        assessment = AssessmentState(
            instructions=spec.instructions, sent_at=sent, due_at=due_at(sent, spec.due_days)
        )
        self.state.assessment = assessment
        await self._tell_parent()
        await self._tell(
            "assessment_assigned",
            [self.start.contractor_id],
            {
                "instructions": spec.instructions,
                "due_at": assessment.due_at,
                "message": self.start.message,
            },
        )
        told_extension = 0
        while not self._assessment_settled():
            version = self.assessment_version
            due = assessment.due_at
            await self._tell_parent()
            if version > told_extension:
                told_extension = version
                await self._tell(
                    "assessment_extended",
                    [self.start.contractor_id],
                    {"due_at": due},
                    event=f"assessment-extended-{version}",
                )

            def moved(version: int = version) -> bool:
                return self._assessment_settled() or self.assessment_version != version

            remind = reminder_at(due)
            if remind > workflow.now():
                if await self._wait(moved, remind, "take-home reminder 24 h before due"):
                    continue
                await self._tell(
                    "assessment_reminder",
                    [self.start.contractor_id],
                    {"due_at": due},
                    event=f"assessment-reminder-{version}",
                )
            if await self._wait(moved, due, "take-home due"):
                continue
            self._set(InterviewStatus.ASSESSMENT_OVERDUE)
            await self._tell_parent()
            await self._tell(
                "assessment_overdue",
                [self.start.owner_id],
                {"due_at": due},
                event=f"overdue-{version}",
            )
            await self._wait(moved)
        if assessment.submitted_at is not None:
            await self._tell(
                "assessment_submitted",
                self.client_side,
                {"late": assessment.late, "submission_link": assessment.link},
            )

    def _check_assessment_open(self) -> None:
        if self.state.assessment is None:
            conflict("this round has no take-home assessment")
        if self.state.status not in ASSESSMENT_STATUSES:
            conflict(f"the assessment is no longer open; this interview is {self.state.status}")

    def _new_due(self, extension: AssessmentExtension) -> datetime:
        assessment = self.state.assessment
        assert assessment is not None
        if extension.due_at is not None:
            return extension.due_at
        return assessment.due_at + timedelta(days=extension.extra_days or 0)

    def _assessment_settled(self) -> bool:
        assessment = self.state.assessment
        return assessment is None or assessment.submitted_at is not None or assessment.waived
