"""A small HTTP/1.1 client on asyncio streams, for JSON APIs on loopback: keep-alive connections,
one request at a time on each, a hand-written request writer and response parser.

A benchmark's client must cost less than what it measures: httpx spends 5-9 ms of CPU per request
at 200 concurrent requests, which caps a burst at about 100 requests/s on this machine; this one
spends a fraction of a millisecond."""

import asyncio
import json
from dataclasses import dataclass
from typing import Any


class ConnectionClosed(ConnectionError):
    """The server closed the connection before it answered a single byte."""


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        """The JSON body; the text of a body that is not JSON (a proxy's or server's own page)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return self.body.decode(errors="replace")


class Connection:
    """One keep-alive connection; a request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.used = False  # has answered a request: the server may since have closed it

    @property
    def is_open(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self.used = False

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> Answer:
        if not self.is_open:
            await self.open()
        assert self._reader is not None and self._writer is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if token is not None:
            head.append(f"Authorization: Bearer {token}")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        try:
            await self._writer.drain()
            answer, keep_alive = await self._read_answer(self._reader)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.close()
            if isinstance(error, asyncio.IncompleteReadError) and not error.partial:
                raise ConnectionClosed("closed before answering") from error
            if isinstance(error, ConnectionResetError | BrokenPipeError):
                raise ConnectionClosed(str(error)) from error
            raise
        self.used = True
        if not keep_alive:
            self.close()
        return answer

    @staticmethod
    async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get(b"connection", b"").lower() != b"close"
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)  # the chunk and its CRLF
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            return Answer(status, b"".join(chunks)), keep_alive
        length = headers.get(b"content-length")
        if length is not None:
            return Answer(status, await reader.readexactly(int(length))), keep_alive
        if status in (204, 304) or 100 <= status < 200:
            return Answer(status, b""), keep_alive
        return Answer(status, await reader.read()), False  # delimited by the connection's end


class Pool:
    """Up to `size` connections, each used by one request at a time. A request that finds its
    idle connection closed by the server (keep-alive timeout) is sent again on a new one: the
    server never read it."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self._all = [Connection(host, port) for _ in range(size)]
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        for connection in self._all:
            self._idle.put_nowait(connection)

    @classmethod
    def for_url(cls, base_url: str, size: int) -> "Pool":
        host, _, port = base_url.removeprefix("http://").rstrip("/").rpartition(":")
        return cls(host, int(port), size)

    async def reconnect(self, at_once: int = 100) -> None:
        """Open every connection anew, so a burst measures requests, not TCP handshakes, nor
        connections the server has since closed."""
        self.close()
        gate = asyncio.Semaphore(at_once)

        async def opened(connection: Connection) -> None:
            async with gate:
                await connection.open()

        await asyncio.gather(*(opened(c) for c in self._all))

    async def request(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> Answer:
        connection = await self._idle.get()
        try:
            try:
                return await connection.request(method, path, token=token, body=body)
            except ConnectionClosed:
                if not connection.used:
                    raise
                return await connection.request(method, path, token=token, body=body)
        finally:
            self._idle.put_nowait(connection)

    def close(self) -> None:
        for connection in self._all:
            connection.close()
