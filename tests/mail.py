"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import asyncio
import email
import socket
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Keep:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(email.message_from_bytes(raw, policy=default))
        return "250 OK"


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Keep()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


class SilentMailServer:
    """A mail server that is down in the worst way: it accepts connections on loopback and never
    says a word, so a client waits out its own timeout. `stop()` hangs up on everyone."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.connections: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", self.port)

    async def _hold(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.connections:
            writer.close()
        self.connections.clear()
        if self.server is not None:
            await self.server.wait_closed()
            self.server = None
