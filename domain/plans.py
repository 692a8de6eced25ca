"""Interview plans: ordered rounds, each with a kind, a duration and an optional take-home."""

from enum import StrEnum

from pydantic import BaseModel, Field


class RoundKind(StrEnum):
    SCREENING = "screening"
    TECHNICAL = "technical"
    PROJECT_DEEP_DIVE = "project_deep_dive"
    PANEL = "panel"
    FINAL = "final"


ALLOWED_DURATIONS: dict[RoundKind, tuple[int, ...]] = {
    RoundKind.SCREENING: (15, 20, 30),
    RoundKind.TECHNICAL: (45, 60),
    RoundKind.PROJECT_DEEP_DIVE: (30, 45),
    RoundKind.PANEL: (45, 60),
    RoundKind.FINAL: (45, 60),
}

DEFAULT_ASSESSMENT_DAYS = 3
MAX_ROUNDS = 6


class Assessment(BaseModel):
    instructions: str = Field(min_length=1, max_length=5000)
    due_days: int = Field(default=DEFAULT_ASSESSMENT_DAYS, ge=1, le=30)


class Round(BaseModel):
    kind: RoundKind
    duration_minutes: int
    assessment: Assessment | None = None


def default_plan() -> list[Round]:
    return [
        Round(kind=RoundKind.SCREENING, duration_minutes=30),
        Round(kind=RoundKind.TECHNICAL, duration_minutes=60),
        Round(kind=RoundKind.FINAL, duration_minutes=45),
    ]


def plan_problems(rounds: list[Round]) -> list[str]:
    """Every reason the plan is not acceptable, each naming the round; empty when it is fine."""
    problems: list[str] = []
    if not rounds:
        problems.append("interview_plan: at least one round is required")
    if len(rounds) > MAX_ROUNDS:
        problems.append(f"interview_plan: at most {MAX_ROUNDS} rounds, got {len(rounds)}")
    for number, round_ in enumerate(rounds, start=1):
        allowed = ALLOWED_DURATIONS[round_.kind]
        if round_.duration_minutes not in allowed:
            choices = ", ".join(str(d) for d in allowed)
            problems.append(
                f"interview_plan round {number} ({round_.kind.value}): duration must be one of "
                f"{choices} minutes, got {round_.duration_minutes}"
            )
    return problems
