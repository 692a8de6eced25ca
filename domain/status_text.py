"""Where a candidacy stands, in plain words for the contractor's view of it."""

from domain.stages import Stage

_TEXTS: dict[Stage, str] = {
    Stage.APPLIED: "Your application is waiting for the client's review.",
    Stage.SHORTLISTED: (
        "You are on the client's shortlist. The client will ask you to pick an interview time."
    ),
    Stage.OFFER: "You have passed every interview round: the next step is an offer.",
    Stage.HIRED: "You were hired. Congratulations!",
    Stage.REJECTED: "The client decided not to move forward with your candidacy.",
    Stage.WITHDRAWN: "You withdrew this candidacy.",
    Stage.CLOSED: "The client closed this job post, which ended the candidacy.",
    Stage.OFFER_DECLINED: "The offer was declined.",
    Stage.OFFER_EXPIRED: "The offer expired without an answer.",
}


def candidacy_status_text(
    stage: Stage, round_: int, rounds_total: int, on_hold: bool = False
) -> str:
    if stage == Stage.INTERVIEWING:
        return f"Interviewing: round {round_} of {rounds_total}."
    if stage == Stage.DECISION_PENDING:
        done = f"Round {round_} of {rounds_total} is done."
        if on_hold:
            return f"{done} The client has put the decision on hold for now."
        return f"{done} The client decides on the next step within 3 to 5 business days."
    return _TEXTS.get(stage, f"Stage: {stage.value}.")
