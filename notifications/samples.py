"""Sample data for every notification template: the preview (`python -m notifications.preview`)
renders each template with it, and a test fails when a template has no entry here.

A new template adds one entry to SAMPLES with the values its workflow puts in the context. The
values every notification gets from the notification service (recipient, job post title,
contractor name, links) are in COMMON; an entry may override them."""

from datetime import UTC, datetime
from typing import Any

SAMPLE_TZ = "Europe/Paris"

COMMON: dict[str, Any] = {
    "recipient_name": "Ada Lovelace",
    "base_url": "http://localhost:8000",
    "link": "/candidacies/candidacy-jp_sample0001-u_sample0002",
    "candidacy_id": "candidacy-jp_sample0001-u_sample0002",
    "interview_id": "interview-jp_sample0001-u_sample0002-r1",
    "job_post_id": "jp_sample0001",
    "job_post_title": "Customer support lead",
    "company_id": "co_sample0003",
    "company_name": "Northwind Traders",
    "contractor_id": "u_sample0002",
    "contractor_name": "Grace Hopper",
}

_START = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
_END = datetime(2026, 11, 24, 14, 15, tzinfo=UTC)

SAMPLES: dict[str, dict[str, Any]] = {
    "application_received": {},
    "application_review_reminder": {"applied_at": datetime(2026, 11, 16, 9, 5, tzinfo=UTC)},
    "application_status_update": {"applied_at": datetime(2026, 11, 16, 9, 5, tzinfo=UTC)},
    "candidacy_rejected": {
        "feedback": "Thank you for your time. We went with a candidate whose experience matched "
        "our tooling more closely."
    },
    "candidacy_withdrawn": {"reason": "I accepted another engagement."},
    "decision_reminder": {"round": 1, "ended_at": _END, "business_days": 5, "on_hold": False},
    "decision_still_under_review": {"round": 1, "ended_at": _END, "business_days": 5},
    "scorecard_reminder": {"round": 1, "ended_at": _END},
    "interview_booked": {"round": 1, "kind": "screening", "start": _START, "end": _END},
    "interview_requested": {
        "round": 1,
        "kind": "screening",
        "message": "Please read our product docs before the call.",
    },
    "job_post_closed": {},
    "shortlisted": {},
    "thread_message": {
        "link": "/threads/th_sample0004",
        "sender_name": "Grace Hopper",
        "body": "Thanks for the call today!\n\nI have attached the checklist we discussed.",
    },
}


# Interview scheduling, assessments and booked interviews.
_DUE = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
SAMPLES.update(
    {
        "interview_rescheduled": {
            "round": 1,
            "kind": "screening",
            "start": _START,
            "end": _END,
            "by_side": "contractor",
            "reason": "A conflicting appointment came up.",
            "previous_start": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
            "join_url": "http://localhost:8000/interviews/interview-jp_sample0001-u_sample0002-r1"
            "/join?token=0123456789abcdef01234567",
        },
        "interview_cancelled": {
            "round": 1,
            "kind": "screening",
            "start": _START,
            "end": _END,
            "by_side": "contractor",
            "reason": "I am unwell and cannot make it.",
            "late": True,
            "slot_reopened": True,
            "request_cancelled": False,
        },
        "interview_invite_cancelled": {
            "round": 1,
            "kind": "screening",
            "start": _START,
            "end": _END,
        },
        "interview_reminder": {"round": 1, "start": _START, "end": _END, "before": "24h"},
        "outcome_reminder": {"round": 1, "start": _START, "end": _END, "reminder_number": 1},
        "thank_interviewer_nudge": {
            "round": 1,
            "thank_by": datetime(2026, 11, 25, 14, 15, tzinfo=UTC),
        },
        "assessment_assigned": {
            "round": 2,
            "kind": "technical",
            "due_at": _DUE,
            "instructions": "Build a small support-ticket triage script and share the repository.",
            "message": "Take the time you need within the three days.",
        },
        "assessment_reminder": {"round": 2, "due_at": _DUE},
        "assessment_extended": {"round": 2, "due_at": _DUE},
        "assessment_overdue": {"round": 2, "due_at": _DUE},
        "assessment_submitted": {
            "round": 2,
            "late": False,
            "submission_link": "https://example.com/triage-script",
        },
        "slots_needed": {"round": 1, "waiting": 3, "open_slots": 1},
        "slot_shortage_ops_alert": {"round": 1, "waiting": 3, "open_slots": 0, "prompts": 3},
        "scheduling_delayed": {"round": 1},
        "interview_slots_added": {"round": 1, "count": 4, "first_start": _START},
    }
)


def sample_context(name: str) -> dict[str, Any]:
    """The context a template is previewed and tested with; KeyError when it has no samples."""
    return {**COMMON, **SAMPLES[name]}


# Offers and engagements.
_OFFER_TERMS = {
    "link": "/offers/offer-jp_sample0001-u_sample0002",
    "offer_id": "offer-jp_sample0001-u_sample0002",
    "version": 2,
    "hourly_rate": "$40.00",
    "hours_per_week": "20",
    "working_days": "Mon, Tue, Wed",
    "start_date": "2026-12-01",
    "message": "We would love to have you on the team from December.",
    "expires_at": datetime(2026, 11, 28, 22, 24, tzinfo=UTC),
}
_ENGAGEMENT = {
    "link": "/engagements/engagement-jp_sample0001-u_sample0002",
    "engagement_id": "engagement-jp_sample0001-u_sample0002",
}
SAMPLES.update(
    {
        "offer_received": _OFFER_TERMS,
        "offer_reminder": _OFFER_TERMS,
        "offer_expired": _OFFER_TERMS,
        "offer_countered": {
            **_OFFER_TERMS,
            "hourly_rate": "$45.00",
            "hours_per_week": "25",
            "message": "I could do 25 hours at $45.",
        },
        "offer_declined": {**_OFFER_TERMS, "reason": "I accepted another engagement."},
        "offer_withdrawn": {**_OFFER_TERMS, "reason": "The project was put on hold."},
        "offer_accepted": {**_OFFER_TERMS, **_ENGAGEMENT},
        "contract_signed": {**_OFFER_TERMS, **_ENGAGEMENT, "digest": "9f2c" * 16},
        "kickoff_reminder": {**_ENGAGEMENT, "start_date": "2026-12-01"},
        "training_reminder": {**_ENGAGEMENT, "start_date": "2026-12-01"},
        "timesheet_reminder": {
            **_ENGAGEMENT,
            "week": 3,
            "first_day": "2026-12-15",
            "review_until": datetime(2026, 12, 25, 0, 0, tzinfo=UTC),
        },
        "timesheet_submitted": {
            **_ENGAGEMENT,
            "week": 3,
            "hours": "22.5",
            "scheduled_hours": "20",
            "review_until": datetime(2026, 12, 25, 0, 0, tzinfo=UTC),
        },
        "timesheet_disputed": {
            **_ENGAGEMENT,
            "week": 3,
            "hours": "22.5",
            "corrected_hours": "18",
            "reason": "Tuesday was a public holiday.",
        },
        "payout_released": {**_ENGAGEMENT, "week": 3, "hours": "18", "amount": "$720.00"},
        "terms_changed": {
            **_ENGAGEMENT,
            "from_week": 5,
            "first_day": "2026-12-29",
            "hourly_rate": "$45.00",
            "hours_per_week": "25",
        },
        "engagement_ended": {**_ENGAGEMENT, "reason": "The campaign is over.", "last_week": 6},
    }
)
