"""Kinds of refusal a workflow gives, which the API turns into HTTP statuses."""

CONFLICT = "Conflict"  # 409: not possible in the current state
INVALID = "Invalid"  # 422: the input itself is wrong
