"""What the Temporal UI shows at the top of each run: a one-line static summary and static details
(the story the run follows), set where the run is started. Ids, kinds and counts only: the
people's words (messages, reasons, terms) stay in the payloads.

What a run waits for at the moment is its current details (`workflow.set_current_details`), kept
by each workflow."""

from domain.plans import Round


def candidacy_summary(contractor_id: str, job_post_id: str) -> str:
    return f"Candidacy of contractor {contractor_id} for job post {job_post_id}"


def candidacy_details(source: str, rounds: list[Round]) -> str:
    plan = ", ".join(f"{r.kind.value} {r.duration_minutes} min" for r in rounds)
    first = "applied: the client reviews" if source == "applied" else "invited: shortlisted"
    return (
        f"Started {first}. Interview plan: {len(rounds)} rounds ({plan}). After each round the "
        "client decides (advance, reject or hold) within 3 to 5 business days; after the last "
        "round, the offer. Children: one InterviewWorkflow per round."
    )


def interview_summary(candidacy_id: str, number: int) -> str:
    return f"Round {number} interview of {candidacy_id}"


def interview_details(spec: Round, attempt: int) -> str:
    take_home = (
        f" A take-home due in {spec.assessment.due_days} days comes first."
        if spec.assessment is not None
        else ""
    )
    return (
        f"{spec.kind.value} interview, {spec.duration_minutes} min, request {attempt}.{take_home} "
        "The contractor claims an open slot of the round; reminders 24 h and 1 h before; the "
        "client records the outcome after the end."
    )


def offer_summary(contractor_id: str, job_post_id: str) -> str:
    return f"Offer to contractor {contractor_id} for job post {job_post_id}"


def offer_details(candidacy_id: str) -> str:
    return (
        f"Offer of candidacy {candidacy_id}. Each version waits 7 days for the contractor's "
        "answer (reminder at day 5); accepted, it starts the engagement."
    )


def engagement_summary(contractor_id: str, job_post_id: str) -> str:
    return f"Engagement of contractor {contractor_id} for job post {job_post_id}"


def engagement_details(offer_id: str, plan: str, start_date: str) -> str:
    return (
        f"From offer {offer_id}, plan {plan}, starting {start_date}. Seat fee monthly; weekly "
        "timesheets reviewed by the client until 3 days after the week, then paid. Continues "
        "as new after every charge or payout."
    )


def slot_pool_summary(job_post_id: str, number: int) -> str:
    return f"Interview slots of job post {job_post_id}, round {number}"


def slot_pool_details() -> str:
    return (
        "Counts the round's bookable open slots against the contractors waiting: prompts the "
        "client at most once per 24 h while slots are short, alerts ops after 3 unanswered "
        "prompts, announces new slots. Ends once nobody waits."
    )


def relay_summary(message_id: str, thread_id: str) -> str:
    return f"Email message {message_id} of thread {thread_id} to the other side"


def relay_details() -> str:
    return (
        "Emails one thread message to each recipient once, retrying until the mail server takes it."
    )


def unsent_summary(owner_id: str) -> str:
    return f"Notices {owner_id} had not sent when it ended"


def unsent_details() -> str:
    return (
        "Sends, in order, what a workflow had not sent when it ended (notifications, calendar "
        "invites, thread messages), retrying each until the mail server takes it."
    )


def close_summary(job_post_id: str) -> str:
    return f"Close of job post {job_post_id}: its open candidacies end"


def close_details() -> str:
    return (
        "Withdraws the post's open slots and ends its open candidacies in batches of 20 "
        "(interviews cancelled, offers pulled, contractors told); fails visibly after bounded "
        "retries, and closing again resumes."
    )
