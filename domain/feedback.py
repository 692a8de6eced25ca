"""Feedback given to a contractor who was not selected."""

DEFAULT_REJECTION_FEEDBACK = (
    "Thank you for your time and interest. The client has decided to move forward with other "
    "candidates whose experience more closely matches this project's needs. This is often about "
    "fit rather than capability, and we encourage you to keep applying."
)


def rejection_feedback(feedback: str | None) -> str:
    """The client's feedback, or a kind default when none was given."""
    text = (feedback or "").strip()
    return text or DEFAULT_REJECTION_FEEDBACK
