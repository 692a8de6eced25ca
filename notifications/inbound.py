"""Replies by email: reading an inbound message (raw RFC 822, or the fields a mail relay service
posts as JSON) and keeping only what the person wrote, not the history their mail program quoted
below it."""

import email
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr

# Where the quoted history starts: everything from this line on is dropped.
_HISTORY_STARTS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,100}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),  # Outlook
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its header block
    re.compile(r"^-- ?$"),  # the signature delimiter
    re.compile(r"^\s*Sent from my \w+", re.IGNORECASE),
]
# "On Tue, 24 Nov 2026 at 14:30, Grace Hopper <" wrapped before "… wrote:" on the next line.
_WRAPPED_ON = re.compile(r"^\s*On\b.{0,300}$", re.IGNORECASE)
_WROTE = re.compile(r"^.{0,300}\bwrote:\s*$", re.IGNORECASE)
# A quoted header block: "From: …" with "Sent:", "Date:", "To:" or "Subject:" right below.
_HEADER_FROM = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject):\*?\s", re.IGNORECASE)


@dataclass(frozen=True)
class InboundEmail:
    recipients: list[str]  # every address it was sent to (To, Cc, Delivered-To, ...)
    sender: str  # the From address, lowercased
    text: str  # the plain text as received, quoted history included
    message_id: str | None = None
    automatic: bool = False  # an auto-reply (out of office, ...): never posted


def strip_quoted_history(text: str) -> str:
    """What the person wrote: the text above the first line that starts quoted history or a
    signature, without lines quoted with ">"."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _HISTORY_STARTS):
            break
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _WRAPPED_ON.match(line) and _WROTE.match(following):
            break
        if _HEADER_FROM.match(line) and any(
            _HEADER_NEXT.match(below) for below in lines[index + 1 : index + 4]
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "", markup)  # quoted history
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    return _html_to_text(text) if part.get_content_subtype() == "html" else text


def _addresses(*values: str | None) -> list[str]:
    found = getaddresses([v for v in values if v])
    return [address.strip().lower() for _, address in found if address]


def parse_raw(raw: bytes) -> InboundEmail:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    recipients = _addresses(
        *message.get_all("To", []),
        *message.get_all("Cc", []),
        *message.get_all("Delivered-To", []),
        *message.get_all("X-Original-To", []),
        *message.get_all("Envelope-To", []),
    )
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return InboundEmail(
        recipients=recipients,
        sender=parseaddr(str(message.get("From", "")))[1].strip().lower(),
        text=_body_text(message),
        message_id=str(message["Message-ID"]).strip() if message["Message-ID"] else None,
        automatic=auto_submitted != "no" or precedence in {"auto_reply", "bulk", "junk"},
    )


def from_fields(
    to: str | list[str], sender: str, text: str, message_id: str | None = None
) -> InboundEmail:
    recipients = _addresses(*(to if isinstance(to, list) else [to]))
    return InboundEmail(
        recipients=recipients,
        sender=parseaddr(sender)[1].strip().lower(),
        text=text,
        message_id=message_id,
    )
