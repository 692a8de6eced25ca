"""Real SMTP servers on loopback: one (aiosmtpd) that keeps what it receives, optionally slow at
a given step, and one that accepts connections and never answers."""

import asyncio
import email
import socket
import threading
import time
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
        self.peers: list[object] = []  # the connection (client address) each message came over

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(email.message_from_bytes(raw, policy=default))
        self.peers.append(session.peer)
        return "250 OK"


class AnswersDataLate(_Keep):
    """Keeps each message at once, but answers the first `late` of them only after `delay`
    seconds: to the sender, the message went out and no answer came."""

    def __init__(self, delay: float, late: int = 1) -> None:
        super().__init__()
        self.delay = delay
        self.late = late
        self.late_answer_over = threading.Event()

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.late > 0:
            self.late -= 1
            try:
                await asyncio.sleep(self.delay)
            finally:  # also when the sender hung up before the answer
                self.late_answer_over.set()
        return answer


class SlowRecipients(_Keep):
    """Takes `delay` seconds to accept each recipient (RCPT)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_RCPT(
        self,
        server: object,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"


class MailServer:
    def __init__(self, port: int | None = None, handler: _Keep | None = None) -> None:
        self.port = port or free_port()
        self.handler = handler or _Keep()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    @property
    def connections_used(self) -> int:
        """How many connections delivered messages."""
        return len(set(self.handler.peers))

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


class SilentServer:
    """Accepts connections on loopback and never answers, not even with a greeting. Keeps how
    long each connection was held open by the client."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.accepted = 0
        self.held_seconds: list[float] = []
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", self.port)

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)
        opened = time.monotonic()
        try:
            while await reader.read(4096):
                pass  # whatever the client says, no answer
        except ConnectionError:
            pass
        self.held_seconds.append(time.monotonic() - opened)
        writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in self._writers:
            writer.close()
