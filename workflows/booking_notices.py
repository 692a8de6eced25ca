"""What an interview tells people as its booking changes (InterviewWorkflow queues the changes
as they happen and announces them here, in order, as deliveries its outbox sends in turn):

- booked or moved: both sides get the calendar's REQUEST (`interview_booked`, or
  `interview_rescheduled` with who moved it and why);
- cancelled by one side: the other side gets `interview_cancelled` (who, why, late or not) with
  the calendar's CANCEL, the canceller's side the CANCEL alone, and the pair's thread a message;
- cancelled because the candidacy ended: the candidacy's own ending notices carry the CANCEL
  (same event keys, so each person is told once), the others get the CANCEL alone;
- the round's request cancelled with nothing booked: the contractor is told, the thread too.
"""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from temporalio import workflow

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
    from contracts.notify import CANCEL, REQUEST, InviteRequest, NotifyRequest
    from workflows.deliveries import deliver


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
