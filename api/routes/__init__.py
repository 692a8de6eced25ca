"""One router per resource; the app includes them in this order."""

from api.routes import candidacies, health, interviews, job_posts, me, slots

ROUTERS = [
    health.router,
    me.router,
    job_posts.router,
    candidacies.router,
    slots.router,
    interviews.router,
]
