"""Email delivery: SMTP when SMTP_HOST is set, else `.eml` files in an outbox folder.

Messages go out in batches: one SMTP connection serves every message of a batch. Each step of a
send (connecting, greeting, MAIL, RCPT, DATA, the message data) runs in a worker thread and waits
at most SMTP_TIMEOUT_SECONDS for the server, and a whole send, connecting included, at most
`send_budget` (twice that): so a caller knows how long a send can take, can report progress
between steps, and always learns how a send ended. A send ends in one of three ways:
- it returns: the server accepted the message;
- `NotSent`: the message was certainly not delivered (the failure came before the message data
  went out, or the server answered the data with a refusal), so it may be sent again;
- `MaybeSent`: the message data went out and no answer came back; it may have been delivered.
"""

import asyncio
import functools
import re
import smtplib
import socket
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol

from core.settings import Settings

# Waits of a send, connecting included, before its time is up: the greeting, EHLO, MAIL, RCPT,
# DATA and the answer to the data each take milliseconds from a healthy server.
SEND_BUDGET_IN_TIMEOUTS = 2


def send_budget(settings: Settings) -> float:
    """The longest one send can take, in seconds."""
    return SEND_BUDGET_IN_TIMEOUTS * settings.smtp_timeout_seconds


class _ReusedHeaders(HeaderRegistry):
    """The standard header registry without its waste: it makes a new class at every lookup
    (each header set) and parses every value, while every message sets the same MIME-Version
    and Content-* values over and over. Here classes are made once per name, and those values
    parsed once and shared between messages (header objects are immutable); names, addresses
    and subjects are parsed each time and never kept."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._structure = functools.lru_cache(maxsize=256)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value: Any) -> BaseHeader:
        key = name.lower()
        if type(value) is str and (key.startswith("content-") or key == "mime-version"):
            return self._structure(name, value)
        return super().__call__(name, value)


_POLICY = default.clone(header_factory=_ReusedHeaders())


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
    message = EmailMessage(policy=_POLICY)
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


class NotSent(Exception):
    """The message was certainly not delivered. `refused`: the server answered with a refusal
    (so it is up); otherwise it could not be reached or did not answer in time."""

    def __init__(self, reason: str, *, refused: bool) -> None:
        super().__init__(reason)
        self.refused = refused


class MaybeSent(Exception):
    """The message data went to the server and its answer did not come back."""


class _Connection(Protocol):
    """The synchronous side of a batch: each method is one step, run in a worker thread."""

    @property
    def connected(self) -> bool: ...

    def connect(self, deadline: float) -> None: ...
    def greeting(self, deadline: float) -> None: ...
    def hello(self, deadline: float) -> None: ...
    def secure(self, deadline: float) -> None: ...
    def login(self, deadline: float) -> None: ...
    def mail(self, sender: str, deadline: float) -> None: ...
    def rcpt(self, recipient: str, deadline: float) -> None: ...
    def data(self, deadline: float) -> None: ...
    def send_data(self, message: EmailMessage, deadline: float) -> None: ...
    def answer(self, deadline: float) -> None: ...
    def quit(self) -> None: ...
    def drop(self) -> None: ...


def _wire_bytes(message: EmailMessage) -> bytes:
    """The message as the DATA command carries it: CRLF lines, leading dots doubled, ending with
    the lone dot."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class _SmtpConnection:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    @property
    def connected(self) -> bool:
        return self.smtp is not None

    def _wait(self, deadline: float) -> float:
        """How long the next wait for the server may last."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the send's time is up")
        return min(self.settings.smtp_timeout_seconds, left)

    def _server(self, deadline: float) -> smtplib.SMTP:
        if self.smtp is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        if self.smtp.sock is not None:
            self.smtp.sock.settimeout(self._wait(deadline))
        return self.smtp

    def connect(self, deadline: float) -> None:
        # What SMTP.connect does, without reading the greeting: that is a step of its own.
        host = self.settings.smtp_host
        smtp = smtplib.SMTP(local_hostname=_local_hostname(), timeout=self._wait(deadline))
        smtp._host = host  # type: ignore[attr-defined]  # STARTTLS checks the certificate for it
        smtp.sock = socket.create_connection((host, self.settings.smtp_port), self._wait(deadline))
        self.smtp = smtp

    def greeting(self, deadline: float) -> None:
        code, reply = self._server(deadline).getreply()
        if code != 220:
            raise smtplib.SMTPConnectError(code, reply)

    def hello(self, deadline: float) -> None:
        self._server(deadline).ehlo_or_helo_if_needed()

    def secure(self, deadline: float) -> None:
        if self.settings.smtp_starttls:
            self._server(deadline).starttls()
            self._server(deadline).ehlo()

    def login(self, deadline: float) -> None:
        if self.settings.smtp_username:
            s = self.settings
            self._server(deadline).login(s.smtp_username, s.smtp_password)

    def mail(self, sender: str, deadline: float) -> None:
        code, reply = self._server(deadline).mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)

    def rcpt(self, recipient: str, deadline: float) -> None:
        code, reply = self._server(deadline).rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPResponseException(code, reply)

    def data(self, deadline: float) -> None:
        code, reply = self._server(deadline).docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)

    def send_data(self, message: EmailMessage, deadline: float) -> None:
        # Should this fail, the data's final dot never went out: the server discards the message.
        self._server(deadline).send(_wire_bytes(message))

    def answer(self, deadline: float) -> None:
        code, reply = self._server(deadline).getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def quit(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if smtp.sock is not None:
                smtp.sock.settimeout(min(1.0, self.settings.smtp_timeout_seconds))
                smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            smtp.close()

    def drop(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            smtp.close()


def _nothing_to_do(self: Any, *args: Any) -> None:
    """A step with nothing to do: MailBatch runs it without a worker thread."""


def _does_nothing(step: Callable[..., None]) -> bool:
    return getattr(step, "__func__", None) is _nothing_to_do


class _OutboxConnection:
    """The dev stack's mail: each message becomes an `.eml` file a person can open."""

    connected = True

    def __init__(self, settings: Settings) -> None:
        self.outbox = Path(settings.mail_outbox_dir)

    connect = greeting = hello = secure = login = _nothing_to_do
    mail = rcpt = data = answer = quit = drop = _nothing_to_do

    def send_data(self, message: EmailMessage, deadline: float) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_").replace("@", "_at_")
        (self.outbox / f"{name}.eml").write_bytes(bytes(message))


@functools.cache
def _local_hostname() -> str:
    """The name this host gives in EHLO (looked up once: the lookup can be slow)."""
    return socket.getfqdn()


# SMTP steps wait on the network: their own threads, so that a slow server never starves the
# worker's default executor.
_SMTP_THREADS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="smtp")


class MailBatch:
    """Messages sent one after the other over one connection, opened at the first send and
    again after a failure. `progress` is called after every step."""

    def __init__(self, mailer: "Mailer", progress: Callable[[], None]) -> None:
        self.mailer = mailer
        self.progress = progress
        self.connection: _Connection = (
            _SmtpConnection(mailer.settings)
            if mailer.settings.smtp_host
            else _OutboxConnection(mailer.settings)
        )
        self.deadline = 0.0

    async def _step(
        self, step: Callable[..., None], *args: Any, deadline: float | None = None
    ) -> None:
        if not _does_nothing(step):
            loop = asyncio.get_running_loop()
            until = self.deadline if deadline is None else deadline
            await loop.run_in_executor(_SMTP_THREADS, functools.partial(step, *args, until))
        self.progress()

    def _envelope_sender(self) -> str:
        # Bounces go to the platform's own address, whatever the From shows.
        return parseaddr(self.mailer.settings.mail_from)[1]

    async def begin(self, message: EmailMessage, recipient: str) -> None:
        """Everything before the message data: connecting when needed, MAIL, RCPT and DATA.
        Raises NotSent."""
        self.mailer.prepare(message)
        self.deadline = time.monotonic() + send_budget(self.mailer.settings)
        c = self.connection
        try:
            if not c.connected:
                opened_by = self.deadline
                if self.mailer.opening_timeout is not None:
                    opened_by = min(opened_by, time.monotonic() + self.mailer.opening_timeout)
                for opening in (c.connect, c.greeting, c.hello, c.secure, c.login):
                    await self._step(opening, deadline=opened_by)
            await self._step(c.mail, self._envelope_sender())
            await self._step(c.rcpt, recipient)
            await self._step(c.data)
        except Exception as error:
            c.drop()
            raise NotSent(_describe(error), refused=_is_refusal(error)) from error

    async def transmit(self, message: EmailMessage) -> None:
        """The message data, after `begin`. Raises NotSent or MaybeSent."""
        try:
            await self._step(self.connection.send_data, message)
        except Exception as error:
            self.connection.drop()
            raise NotSent(_describe(error), refused=False) from error
        try:
            await self._step(self.connection.answer)
        except Exception as error:
            self.connection.drop()
            if _is_refusal(error):
                raise NotSent(_describe(error), refused=True) from error
            raise MaybeSent(_describe(error)) from error

    def abandon(self) -> None:
        """Drops the connection in the middle of a send (after `begin`): the server discards a
        message whose data never ended."""
        self.connection.drop()

    async def close(self) -> None:
        if not _does_nothing(self.connection.quit):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(_SMTP_THREADS, self.connection.quit)


def _is_refusal(error: Exception) -> bool:
    return isinstance(error, smtplib.SMTPResponseException)


def _timed_out(error: BaseException | None) -> bool:
    # smtplib reports a read that timed out as a disconnection caused by the timeout.
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        raw = error.smtp_error
        reply = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        return f"the SMTP server answered {error.smtp_code} {reply}".strip()
    if _timed_out(error):
        return "the SMTP server did not answer in time"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _unchanged(message: EmailMessage) -> None:
    return None


class Mailer:
    """`prepare` changes each message just before it is sent (e.g. attaches a file made for its
    recipient)."""

    def __init__(
        self,
        settings: Settings,
        prepare: Callable[[EmailMessage], None] = _unchanged,
        opening_timeout: float | None = None,
    ) -> None:
        self.settings = settings
        self.prepare = prepare
        self.opening_timeout = opening_timeout

    def preparing(self, prepare: Callable[[EmailMessage], None]) -> "Mailer":
        return Mailer(self.settings, prepare, self.opening_timeout)

    def opening_within(self, seconds: float) -> "Mailer":
        """The same mailer, giving up on a server that has not greeted it within `seconds` of
        connecting (the message certainly not sent); once greeted, sends take their usual time."""
        return Mailer(self.settings, self.prepare, seconds)

    @asynccontextmanager
    async def batch(self, progress: Callable[[], None] = lambda: None) -> AsyncIterator[MailBatch]:
        mail = MailBatch(self, progress)
        try:
            yield mail
        finally:
            await mail.close()
