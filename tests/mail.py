"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

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
