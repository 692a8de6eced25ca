"""Email delivery: SMTP when SMTP_HOST is set, else `.eml` files in an outbox folder."""

import asyncio
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from workers.settings import Settings


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str | None = None,
    reply_to: str | None = None,
    references: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> EmailMessage:
    """`attachments`: (filename, content type, data). `references` threads the message with
    earlier ones in mail clients (In-Reply-To and References)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id or make_msgid(domain="hiring.local")
    if reply_to:
        message["Reply-To"] = reply_to
    if references:
        message["In-Reply-To"] = references
        message["References"] = references
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        if self.settings.smtp_host:
            await asyncio.to_thread(self._send_smtp, message)
        else:
            await asyncio.to_thread(self._write_outbox, message)

    def _send_smtp(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
            # Bounces go to the platform's own address, whatever the From shows.
            smtp.send_message(message, from_addr=parseaddr(s.mail_from)[1] or None)

    def _write_outbox(self, message: EmailMessage) -> None:
        outbox = Path(self.settings.mail_outbox_dir)
        outbox.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_").replace("@", "_at_")
        (outbox / f"{name}.eml").write_bytes(bytes(message))
