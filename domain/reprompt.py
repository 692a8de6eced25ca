"""Reprompting a client for more interview times (PRODUCT.md, "Reprompting").

A shortage is a job post round with a contractor waiting to book and fewer bookable open slots
than waiting contractors (none at all included). During a shortage the owner is prompted at most
once per 24 h. A prompt is answered when new slots are added (or the shortage ends otherwise);
after 3 unanswered prompts, once the third has had its 24 h, ops are alerted and the waiting
contractors told scheduling is delayed. Then the prompts stop until slots are added (ops follow
up).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

PROMPT_COOLDOWN = timedelta(hours=24)
PROMPTS_BEFORE_OPS_ALERT = 3


def is_shortage(open_slots: int, waiting: int) -> bool:
    return waiting > 0 and open_slots < waiting


class PoolAction(StrEnum):
    PROMPT_CLIENT = "prompt_client"
    ALERT_OPS = "alert_ops"


@dataclass(frozen=True)
class PromptStreak:
    """Prompts since slots were last added; `total` counts every prompt ever sent."""

    unanswered: int = 0
    total: int = 0
    last_prompt_at: datetime | None = None
    ops_alerted: bool = False

    def answered(self) -> "PromptStreak":
        """New slots were added: the streak starts again (the cooldown still counts)."""
        return replace(self, unanswered=0, ops_alerted=False)


@dataclass(frozen=True)
class PoolStep:
    action: PoolAction | None
    streak: PromptStreak
    check_again_at: datetime | None  # when the rule may act next, if nothing changes


def pool_step(open_slots: int, waiting: int, streak: PromptStreak, now: datetime) -> PoolStep:
    """What to do now about a job post round's slots, and when to look again."""
    if not is_shortage(open_slots, waiting):
        return PoolStep(None, streak.answered(), None)
    if streak.ops_alerted:
        return PoolStep(None, streak, None)
    cooled = streak.last_prompt_at is None or now >= streak.last_prompt_at + PROMPT_COOLDOWN
    if not cooled:
        assert streak.last_prompt_at is not None
        return PoolStep(None, streak, streak.last_prompt_at + PROMPT_COOLDOWN)
    if streak.unanswered >= PROMPTS_BEFORE_OPS_ALERT:
        return PoolStep(PoolAction.ALERT_OPS, replace(streak, ops_alerted=True), None)
    prompted = replace(
        streak, unanswered=streak.unanswered + 1, total=streak.total + 1, last_prompt_at=now
    )
    return PoolStep(PoolAction.PROMPT_CLIENT, prompted, now + PROMPT_COOLDOWN)
