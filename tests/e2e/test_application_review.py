"""Application review: an application neither shortlisted nor rejected within 5 business days
reminds the reviewer; at 7 business days the contractor gets a status update (business days in
the client's time zone)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.helpers import notifications_of, notified, skip_to
from tests.stack import Stack

CLIENT_TZ = "America/New_York"
# Calendar days from an application on each weekday (Mon..Sun) to its 5th and 7th business day.
CALENDAR_DAYS_TO_5_BUSINESS_DAYS = [7, 7, 7, 7, 7, 6, 5]
CALENDAR_DAYS_TO_7_BUSINESS_DAYS = [9, 9, 9, 11, 11, 10, 9]


def _local_days_later(moment: datetime, days: int) -> datetime:
    local = moment.astimezone(ZoneInfo(CLIENT_TZ))
    wall = datetime.combine(local.date() + timedelta(days=days), local.time(), ZoneInfo(CLIENT_TZ))
    return wall.astimezone(ZoneInfo("UTC"))


async def test_review_reminder_at_5_and_status_update_at_7_business_days(stack: Stack) -> None:
    client = await stack.client_user(billing_tz=CLIENT_TZ)
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    applied_at = await stack.env.get_current_time()
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    assert applied.status_code == 201
    weekday = applied_at.astimezone(ZoneInfo(CLIENT_TZ)).weekday()
    remind_at = _local_days_later(applied_at, CALENDAR_DAYS_TO_5_BUSINESS_DAYS[weekday])
    update_at = _local_days_later(applied_at, CALENDAR_DAYS_TO_7_BUSINESS_DAYS[weekday])
    await notified(stack, client.id, "application_received")

    await skip_to(stack, remind_at - timedelta(minutes=5))
    assert await notifications_of(stack, client.id, "application_review_reminder") == []

    await skip_to(stack, remind_at + timedelta(minutes=5))
    reminder = await notified(stack, client.id, "application_review_reminder")
    assert remind_at <= reminder[0].created_at < remind_at + timedelta(minutes=5)
    assert any("5 business days" in m["Subject"] for m in stack.mail.to(client.email))
    assert await notifications_of(stack, contractor.id, "application_status_update") == []

    await skip_to(stack, update_at - timedelta(minutes=5))
    assert await notifications_of(stack, contractor.id, "application_status_update") == []

    await skip_to(stack, update_at + timedelta(minutes=5))
    update = await notified(stack, contractor.id, "application_status_update")
    assert update_at <= update[0].created_at < update_at + timedelta(minutes=5)
    assert "still under review" in update[0].subject
    # One reminder only: nothing repeats afterwards.
    await stack.env.sleep(timedelta(days=10))
    await notified(stack, client.id, "application_review_reminder", count=1)


async def test_no_review_reminder_once_shortlisted(stack: Stack) -> None:
    client = await stack.client_user(billing_tz=CLIENT_TZ)
    contractor = await stack.contractor()
    job = await stack.job_post(client)
    applied = await stack.http.post(f"/job-posts/{job['id']}/applications", headers=contractor.auth)
    await stack.env.sleep(timedelta(days=4))
    shortlisted = await stack.http.post(
        f"/candidacies/{applied.json()['id']}/shortlist", headers=client.auth
    )
    assert shortlisted.status_code == 200
    await stack.env.sleep(timedelta(days=12))
    await notified(stack, contractor.id, "shortlisted")
    assert await notifications_of(stack, client.id, "application_review_reminder") == []
    assert await notifications_of(stack, contractor.id, "application_status_update") == []
