"""Before a hire, email addresses and phone numbers in messages are masked; prices, dates, times
and version numbers are not."""

import pytest

from domain.masking import EMAIL_MASK, PHONE_MASK, mask_contact_details, mask_if


@pytest.mark.parametrize(
    "address",
    [
        "jane.doe@example.com",
        "Jane.Doe+jobs@mail.example.co.uk",
        "jane @ example.com",
        "jane at example dot com",
        "jane AT example DOT com",
        "jane [at] example [dot] com",
        "jane(at)example(dot)com",
        "jane {at} example {dot} io",
        "jane [at] example.com",
        "jane at example.com",
        "jane.doe at mail dot example dot org",
        "jane at example [dot] museum",
    ],
)
def test_email_addresses_are_masked_before_hire(address: str) -> None:
    masked = mask_contact_details(f"Write to me: {address} anytime.")
    assert masked == f"Write to me: {EMAIL_MASK} anytime."


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "(415) 555-0123",
        "415.555.0123",
        "415-555-0123",
        "+49 30 901820",
        "+1 (415) 555-0123",
        "+1-415-555-0123",
        "+44 (0)20 7946 0958",
        "0044 20 7946 0958",
        "020 7946 0958",
        "030 901820",
        "4155550123",
        "+33 1 42 68 53 00",
        "+81 3-1234-5678",
        "20.7946.0958",
        "01.42.68.53.00",
    ],
)
def test_phone_numbers_are_masked_before_hire(phone: str) -> None:
    masked = mask_contact_details(f"Call me on {phone}, thanks.")
    assert masked == f"Call me on {PHONE_MASK}, thanks."


def test_phone_numbers_at_the_edges_and_in_brackets() -> None:
    assert mask_contact_details("+49 30 901820") == PHONE_MASK
    assert mask_contact_details("(mobile: 415.555.0123)") == f"(mobile: {PHONE_MASK})"
    assert mask_contact_details("tel:+442079460958") == f"tel:{PHONE_MASK}"


@pytest.mark.parametrize(
    "text",
    [
        "The budget is $1,200.00 per week.",
        "Rate: $45.50/h, or €1 200 a month, £80",
        "A total of 1,234,567.89 USD",
        "Invoice total 12345.00",
        "Starting 2026-11-21 at 09:30.",
        "Starting 2026-11-21T09:30:00+01:00",
        "Due 21/11/2026, or 21.11.2026, or 11-21-2026.",
        "From 14:30 to 15:15, or 2:30 pm",
        "We run Python 3.11.4 and Node v18.17.1, Django 4.2.",
        "Release 10.15.7 build 2026.11.21",
        "The server is at 192.168.100.200",
        "Scores: 1 2 3 4 5 6 7 8 9 10",
        "Between 2019-2023 I led 12 people in 3 teams.",
        "Ticket #48213, room 4B, 20 000 users",
        "Meet at the office dot point at noon.",
        "Look at this dot product: a at b.",
        "Ping me @jane on Slack.",
        "Schedule: 2026-11-21 10:30 – 2026-11-21 11:15",
        "Zip 94103, PO 12345",
    ],
)
def test_prices_dates_times_and_versions_are_not_masked(text: str) -> None:
    assert mask_contact_details(text) == text


def test_masking_keeps_everything_around_the_details() -> None:
    text = (
        "Hi! Budget $1,200.00, start 2026-11-21 09:30.\n"
        "Email jane [at] example [dot] com or call +44 20 7946 0958.\n"
        "We use v2.3.1."
    )
    assert mask_contact_details(text) == (
        "Hi! Budget $1,200.00, start 2026-11-21 09:30.\n"
        f"Email {EMAIL_MASK} or call {PHONE_MASK}.\n"
        "We use v2.3.1."
    )


def test_private_use_characters_in_the_text_come_back_intact() -> None:
    text = "odd \U000f0000 char and 2026-11-21, call 415.555.0123 \U000f0001"
    assert (
        mask_contact_details(text)
        == f"odd \U000f0000 char and 2026-11-21, call {PHONE_MASK} \U000f0001"
    )


def test_after_hire_nothing_is_masked() -> None:
    text = "jane@example.com, +44 20 7946 0958"
    assert mask_if(text, hidden=False) == text
    assert mask_if(text, hidden=True) == f"{EMAIL_MASK}, {PHONE_MASK}"
