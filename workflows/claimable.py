"""Whether an interview can book a slot, by its status: the one wording of every refusal, used
by the interview itself and by the slot pool when it asks an interview it has not heard from."""

from contracts.hiring import InterviewStatus


def claim_refusal(status: InterviewStatus) -> str | None:
    """None when the interview waits for a slot; otherwise why a claim is refused."""
    if status == InterviewStatus.AWAITING_ASSESSMENT:
        return "the take-home assessment must be submitted before the interview is booked"
    if status == InterviewStatus.ASSESSMENT_OVERDUE:
        return (
            "the take-home assessment is overdue: the interview can be booked once it is "
            "submitted or the client advances anyway"
        )
    if status != InterviewStatus.AWAITING_SLOT:
        return f"this interview is already {status.value}"
    return None
