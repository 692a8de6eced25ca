"""One router per resource; the app includes them in this order."""

from api.routes import (
    assessments,
    candidacies,
    candidates,
    engagements,
    health,
    inbound_email,
    interviews,
    job_posts,
    ledger,
    me,
    notifications,
    offers,
    scorecards,
    slots,
    threads,
    workforce,
)

ROUTERS = [
    health.router,
    me.router,
    job_posts.router,
    candidates.router,
    candidacies.router,
    slots.router,
    interviews.router,
    assessments.router,
    threads.router,
    inbound_email.router,
    notifications.router,
    scorecards.router,
    offers.router,
    engagements.router,
    workforce.router,
    ledger.router,
]
