"""One router per resource; the app includes them in this order."""

from api.routes import candidacies, candidates, health, interviews, job_posts, me, slots

ROUTERS = [
    health.router,
    me.router,
    job_posts.router,
    candidates.router,
    candidacies.router,
    slots.router,
    interviews.router,
]
