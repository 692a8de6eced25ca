"""What an interview tells people as its booking changes, and how it tells them.

InterviewWorkflow queues the changes as they happen (`outbox`) and announces them here, in
order (`_flush`), as deliveries its outbox of deliveries sends in turn:

- booked or moved: both sides get the calendar's REQUEST (`interview_booked`, or
  `interview_rescheduled` with who moved it and why);
- cancelled by one side: the other side gets `interview_cancelled` (who, why, late or not) with
  the calendar's CANCEL, the canceller's side the CANCEL alone, and the pair's thread a message;
- cancelled because the candidacy ended: the candidacy's own ending notices carry the CANCEL
  (same event keys, so each person is told once), the others get the CANCEL alone;
- the round's request cancelled with nothing booked: the contractor is told, the thread too.

Every other notice of the interview (`_tell`) joins the same outbox; what is still unsent when
the interview ends goes out from a workflow of its own (`_hand_over_unsent`).
"""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from temporalio import workflow
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from contracts.deliveries import Delivery
    from contracts.hiring import (
        Booking,
        BookingCancellation,
        BookingMove,
        CandidacyEnded,
        InterviewStart,
        Side,
    )
    from contracts.messages import SystemMessage
    from contracts.notify import CANCEL, REQUEST, InviteRequest, NotifyActivities, NotifyRequest
    from workflows.deliveries import deliver, hand_over_unsent, queue
    from workflows.interview.stopping import to_the_end
    from workflows.outbox import Outbox
    from workflows.policies import DELIVERY


@dataclass(frozen=True)
class Booked:
    """A booking to put in calendars: a claim, or a move (`move` set)."""

    booking: Booking
    sequence: int
    move: BookingMove | None = None


@dataclass(frozen=True)
class Cancelled:
    """A booking to take out of calendars, and the people to tell why."""

    booking: Booking
    record: BookingCancellation


@dataclass(frozen=True)
class RequestCancelled:
    """The client cancelled the round's request while nothing was booked."""

    by: str
    reason: str


Change = Booked | Cancelled | RequestCancelled


class BookingNotices:
    def __init__(self, start: InterviewStart, key: str, client_side: list[str]) -> None:
        self.start = start
        self.key = key  # the prefix of this interview attempt's event keys
        self.client_side = client_side
        self.calendars_hold: Booking | None = None  # what the last invite put in calendars

    def context(self, extra: dict[str, object]) -> dict[str, object]:
        return {
            "interview_id": self.start.interview_id,
            "candidacy_id": self.start.candidacy_id,
            "job_post_id": self.start.job_post_id,
            "contractor_id": self.start.contractor_id,
            "round": self.start.round,
            "kind": self.start.round_spec.kind.value,
            **extra,
        }

    async def announce(self, change: Change, candidacy_end: CandidacyEnded | None) -> None:
        """Send the change's deliveries one after the other."""
        for delivery in self.deliveries(change, candidacy_end):
            await deliver(delivery)

    def deliveries(self, change: Change, candidacy_end: CandidacyEnded | None) -> list[Delivery]:
        """What announces the change, in the order it is to go out."""
        if isinstance(change, Booked):
            return [self._booked(change)]
        if isinstance(change, Cancelled):
            return self._cancelled(change, candidacy_end)
        return self._request_cancelled(change)

    def _booked(self, change: Booked) -> Delivery:
        moved = change.move is not None or (
            self.calendars_hold is not None and self.calendars_hold != change.booking
        )
        extra: dict[str, object] = {"sequence": change.sequence}
        if change.move is not None:
            extra |= {
                "by_side": change.move.side.value,
                "reason": change.move.reason,
                "previous_start": change.move.from_start,
            }
        self.calendars_hold = change.booking
        return self._invite(
            REQUEST,
            change.booking,
            change.sequence,
            self._everyone(),
            "interview_rescheduled" if moved else "interview_booked",
            f"{self.key}:invite-{change.sequence}",
            extra,
        )

    def _cancelled(self, change: Cancelled, candidacy_end: CandidacyEnded | None) -> list[Delivery]:
        record, booking = change.record, change.booking
        self.calendars_hold = None
        told: list[str] = []
        deliveries: list[Delivery] = []
        if candidacy_end is not None and record.side is None:
            for notice in candidacy_end.notices:
                recipients = [r for r in notice.recipient_ids if r in self._everyone()]
                recipients = [r for r in recipients if r not in told]
                if recipients:
                    invite = self._invite(
                        CANCEL,
                        booking,
                        record.sequence,
                        recipients,
                        notice.template,
                        notice.event_key,
                        notice.context,
                        link=notice.link,
                    )
                    deliveries.append(invite)
                    told.extend(recipients)
        elif record.side is not None:
            others = (
                self.client_side if record.side == Side.CONTRACTOR else [self.start.contractor_id]
            )
            deliveries.append(
                self._invite(
                    CANCEL,
                    booking,
                    record.sequence,
                    others,
                    "interview_cancelled",
                    f"{self.key}:cancelled-{record.sequence}",
                    _cancellation_context(record),
                )
            )
            told.extend(others)
            deliveries.append(
                self._thread_message(
                    f"cancelled-{record.sequence}", cancellation_message(self.start.round, record)
                )
            )
        rest = [r for r in self._everyone() if r not in told]
        if rest:
            deliveries.append(
                self._invite(
                    CANCEL,
                    booking,
                    record.sequence,
                    rest,
                    "interview_invite_cancelled",
                    f"{self.key}:invite-cancel-{record.sequence}",
                    {"sequence": record.sequence, "reason": record.reason},
                )
            )
        return deliveries

    def _request_cancelled(self, change: RequestCancelled) -> list[Delivery]:
        told = NotifyRequest(
            event_key=f"{self.key}:request-cancelled",
            template="interview_cancelled",
            recipient_ids=[self.start.contractor_id],
            context=self.context(
                {"by_side": Side.CLIENT.value, "reason": change.reason, "request_cancelled": True}
            ),
            link=f"/candidacies/{self.start.candidacy_id}",
            at=workflow.now(),
        )
        return [
            Delivery(notify=told),
            self._thread_message(
                "request-cancelled",
                f"The client cancelled the request for the round {self.start.round} interview. "
                f"Reason: {change.reason}",
            ),
        ]

    def _thread_message(self, event: str, body: str) -> Delivery:
        return Delivery(
            message=SystemMessage(
                company_id=self.start.company_id,
                contractor_id=self.start.contractor_id,
                body=body,
                event_key=f"{self.key}:{event}",
                at=workflow.now(),
            )
        )

    def _invite(
        self,
        method: str,
        booking: Booking,
        sequence: int,
        recipients: list[str],
        template: str,
        event_key: str,
        extra: dict[str, Any],
        link: str | None = None,
    ) -> Delivery:
        return Delivery(
            invite=InviteRequest(
                interview_id=self.start.interview_id,
                job_post_id=self.start.job_post_id,
                round=self.start.round,
                kind=self.start.round_spec.kind.value,
                method=method,
                sequence=sequence,
                start=booking.start,
                end=booking.end,
                stamp=workflow.now(),
                recipient_ids=list(dict.fromkeys(recipients)),
                template=template,
                event_key=event_key,
                context=self.context({"sequence": sequence, **extra}),
                link=link or f"/interviews/{self.start.interview_id}",
            )
        )

    def _everyone(self) -> list[str]:
        return [self.start.contractor_id, *self.client_side]


def _cancellation_context(record: BookingCancellation) -> dict[str, object]:
    return {
        "sequence": record.sequence,
        "by_side": record.side.value if record.side else None,
        "reason": record.reason,
        "late": record.late,
        "slot_reopened": record.slot_reopened,
        "request_cancelled": record.cause == "request_cancelled",
    }


def cancellation_message(round_number: int, record: BookingCancellation) -> str:
    """The pair's thread message about a booking one side cancelled."""
    who = "The contractor" if record.side == Side.CONTRACTOR else "The client"
    when = record.start.astimezone(UTC).strftime("%a %d %b %Y, %H:%M UTC")
    what = "the interview request" if record.cause == "request_cancelled" else "the interview"
    late = " (late: less than 24 hours before the start)" if record.late else ""
    return (
        f"{who} cancelled {what} for round {round_number} on {when}{late}. Reason: {record.reason}"
    )


class Announcing:
    """How InterviewWorkflow tells people: the changes of the booking it queued, and notices."""

    start: InterviewStart
    key: str
    notices: BookingNotices
    outbox: list[Change]
    deliveries: Outbox
    off_the_story: bool
    invites_at_once: bool
    candidacy_end: CandidacyEnded | None

    async def _flush(self) -> None:
        """Announce the queued changes, oldest first: their deliveries join the outbox (or, on
        the old path, each announcement runs to its end even when the workflow is cancelled
        meanwhile), so calendars never miss a change and get them in order."""
        if self.off_the_story:
            while self.outbox:
                for delivery in self.notices.deliveries(self.outbox.pop(0), self.candidacy_end):
                    queue(self.deliveries, delivery, invite_at_once=self.invites_at_once)
            return
        while self.outbox:  # (before NOTICES_OFF_THE_STORY_PATCH)
            change = self.outbox[0]
            try:
                await to_the_end(self.notices.announce(change, self.candidacy_end))
            finally:
                if self.outbox and self.outbox[0] is change:
                    self.outbox.pop(0)

    async def _hand_over_unsent(self, last: list[NotifyRequest]) -> None:
        """The interview ends at once: what it has not sent yet, then `last`, go out from a
        workflow of their own that outlives it."""
        if self.off_the_story:
            await hand_over_unsent(
                self.deliveries,
                self.key,
                self.start.interview_id,
                [Delivery(notify=notice) for notice in last],
            )

    def _context(self, extra: dict[str, object]) -> dict[str, object]:
        return self.notices.context(extra)

    async def _tell(
        self,
        template: str,
        recipients: list[str],
        context: dict[str, object],
        event: str | None = None,
        link: str | None = None,
        about: str | None = None,
    ) -> None:
        """Notify about this interview: nothing unsent goes out once it is cancelled (or, with
        `about`, once that booking is)."""
        notice = self._notice(template, recipients, context, event, link, about)
        if self.off_the_story:
            queue(self.deliveries, Delivery(notify=notice))
        else:
            await self._send(notice)

    def _notice(
        self,
        template: str,
        recipients: list[str],
        context: dict[str, object],
        event: str | None = None,
        link: str | None = None,
        about: str | None = None,
    ) -> NotifyRequest:
        return NotifyRequest(
            event_key=f"{self.key}:{event or template}",
            template=template,
            recipient_ids=list(dict.fromkeys(recipients)),
            context=self._context(context),
            link=link or f"/interviews/{self.start.interview_id}",
            at=workflow.now(),
            subject_id=about or self.key,
        )

    async def _send(self, notice: NotifyRequest) -> None:
        """The story's own send (before NOTICES_OFF_THE_STORY_PATCH). Cancelled half-way (the
        interview winding down), the attempt is abandoned rather than cancelled: the
        notification service itself drops what is no longer to be sent, and the workflow need
        not wait for the attempt to stop."""
        await workflow.execute_activity_method(
            NotifyActivities.send_notification,
            notice,
            start_to_close_timeout=DELIVERY.start_to_close,
            heartbeat_timeout=DELIVERY.heartbeat,
            retry_policy=DELIVERY.retry,
            cancellation_type=ActivityCancellationType.ABANDON,
        )
