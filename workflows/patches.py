"""Patches that took over a behaviour another patch id used to gate along with others."""

from temporalio import workflow


def patched_since(new_id: str, old_id: str) -> bool:
    """Whether the run takes the behaviour `new_id` gates, which `old_id` gated before it.

    A new run records only `new_id`'s marker. Replaying a history recorded when `old_id` gated
    the behaviour, `new_id`'s marker is absent and `old_id`'s answers; a history with neither
    takes the path from before both."""
    return workflow.patched(new_id) or workflow.patched(old_id)
