"""The interview's patches: each changed the commands of a running interview, and each is asked
where the change is made, so that histories recorded before it replay on their old path."""

# Ending a booking or the interview drops its notifications still unsent (reminders retrying).
CANCEL_NOTIFICATIONS_PATCH = "cancel-notifications-of-ended-bookings"
# A claim that lands while the round is being announced as waiting (its invite then goes out in
# the same announcement) is seen by the booking it made: the story goes on to the booking's
# reminders and end instead of waiting for another change.
CLAIM_WHILE_WAITING_PATCH = "waiting-for-a-claim-sees-the-booking"
# The candidacy hears of each change of the interview as it happens (a route answers once it has).
CANDIDACY_TOLD_AT_ONCE_PATCH = "candidacy-told-of-changes-at-once"
# An interview that ends tells the slot pool, which gives back a booking it made meanwhile.
POOL_TOLD_OF_END_PATCH = "slot-pool-told-of-the-interview-end"
# Notices, invites and thread messages go out from the outbox's drain, never awaited by the
# story; the interview ends at once, handing what is still unsent (and the thank-you nudge) to a
# DeliveriesWorkflow of its own.
NOTICES_OFF_THE_STORY_PATCH = "interview-notices-sent-off-the-story"
# Invites are first tried in the workflow task that queued them (a local activity).
INVITES_AT_ONCE_PATCH = "interview-invites-tried-at-once"
# A booking and its status go in one search-attribute upsert.
ONE_UPSERT_PER_BOOKING_PATCH = "interview-booking-in-one-upsert"
# The candidacy is not told of bookings (made, moved or cancelled): its view of the round, while
# it waits for a slot, reads the booking from this interview or the slot pool
# (api/pending_bookings.py). It still hears of every other change. A booking's invite goes out
# and the story sets its reminder's timer in the signal's one workflow task.
CANDIDACY_READS_BOOKINGS_PATCH = "candidacy-reads-the-booking-from-the-interview"
