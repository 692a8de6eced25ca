"""Reading replies by email: the relay address, the sender, and only what the person wrote."""

from email.message import EmailMessage

from notifications.inbound import from_fields, parse_raw, strip_quoted_history
from notifications.threads import relay_token_in


def test_gmail_style_reply_keeps_only_the_new_text() -> None:
    text = (
        "Thursday works for me.\n"
        "See you then.\n"
        "\n"
        "On Tue, 24 Nov 2026 at 14:30, Ada via Hiring <thread-abc@relay.hiring.local> wrote:\n"
        "> Does Thursday work?\n"
        ">\n"
        "> Ada\n"
    )
    assert strip_quoted_history(text) == "Thursday works for me.\nSee you then."


def test_wrapped_on_wrote_line_and_other_languages() -> None:
    wrapped = (
        "Yes.\n\nOn Tue, 24 Nov 2026 at 14:30, Ada via Hiring <\nthread-abc@relay> wrote:\n> ?"
    )
    assert strip_quoted_history(wrapped) == "Yes."
    french = "Oui.\n\nLe mar. 24 nov. 2026 à 14:30, Ada <x@y> a écrit :\n> ?"
    assert strip_quoted_history(french) == "Oui."
    german = "Ja.\n\nAm Di., 24. Nov. 2026 um 14:30 Uhr schrieb Ada <x@y>:\n> ?"
    assert strip_quoted_history(german) == "Ja."


def test_quoted_lines_signatures_and_outlook_blocks_are_dropped() -> None:
    assert strip_quoted_history("Sure!\n> earlier\nThanks") == "Sure!\nThanks"
    assert strip_quoted_history("Sure!\n-- \nGrace Hopper\n+1 415 555 0123") == "Sure!"
    assert strip_quoted_history("Sure!\n\nSent from my iPhone") == "Sure!"
    outlook = (
        "Works for me.\r\n\r\n"
        "________________________________\r\n"
        "From: Ada via Hiring <thread-abc@relay.hiring.local>\r\n"
        "Sent: Tuesday, November 24, 2026 2:30 PM\r\n"
        "Subject: Interview\r\n\r\nDoes Thursday work?\r\n"
    )
    assert strip_quoted_history(outlook) == "Works for me."
    header_block = "Fine.\n\nFrom: Ada <a@b.c>\nDate: Tue\nSubject: x\n\nold"
    assert strip_quoted_history(header_block) == "Fine."
    original = "Fine.\n-----Original Message-----\nold"
    assert strip_quoted_history(original) == "Fine."


def test_text_that_only_looks_like_history_is_kept() -> None:
    text = "From: my experience, the first week matters most.\nOn Monday I can start."
    assert strip_quoted_history(text) == text


def test_raw_message_gives_recipients_sender_body_and_id() -> None:
    message = EmailMessage()
    message["From"] = '"Grace Hopper" <Grace@Example.com>'
    message["To"] = "Ada via Hiring <thread-abc123@relay.hiring.local>"
    message["Cc"] = "someone@else.example"
    message["Message-ID"] = "<m-1@example.com>"
    message.set_content("Plain text wins.\n> quoted")
    message.add_alternative("<p>HTML loses</p>", subtype="html")
    inbound = parse_raw(bytes(message))
    assert inbound.sender == "grace@example.com"
    assert "thread-abc123@relay.hiring.local" in inbound.recipients
    assert inbound.text.startswith("Plain text wins.")
    assert inbound.message_id == "<m-1@example.com>"
    assert not inbound.automatic


def test_html_only_message_is_read_as_text_without_its_quote() -> None:
    message = EmailMessage()
    message["From"] = "grace@example.com"
    message["To"] = "thread-abc@relay.hiring.local"
    message.set_content(
        "<div>See you &amp; thanks<br>Grace</div><blockquote>Old text</blockquote>",
        subtype="html",
    )
    inbound = parse_raw(bytes(message))
    assert strip_quoted_history(inbound.text) == "See you & thanks\nGrace"


def test_auto_replies_are_recognised() -> None:
    message = EmailMessage()
    message["From"] = "grace@example.com"
    message["To"] = "thread-abc@relay.hiring.local"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("Out of office")
    assert parse_raw(bytes(message)).automatic


def test_relay_token_is_found_among_recipients_case_insensitively() -> None:
    domain = "relay.hiring.local"
    assert relay_token_in(["a@b.c", "THREAD-AbC9@Relay.Hiring.Local"], domain) == "abc9"
    assert relay_token_in(["thread-abc@relay.hiring.local.evil.example"], domain) is None
    assert relay_token_in(["thread-abc@other.example"], domain) is None
    fields = from_fields(["x@y.z", "Ada <thread-t1@relay.hiring.local>"], "G <G@X.io>", "hi")
    assert relay_token_in(fields.recipients, domain) == "t1"
    assert fields.sender == "g@x.io"
