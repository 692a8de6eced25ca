"""`Idempotency-Key`: the same key and body from the same caller give the same answer, and the
work is done once. A pure ASGI middleware, so the stored answer is the exact bytes sent."""

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.callers import caller_of
from core.db import Database
from core.tokens import hash_token
from store.models import IdempotencyRecord, utcnow

HEADER = b"idempotency-key"
METHODS = {"POST", "PUT", "DELETE", "PATCH"}
NO_BODY = {204, 304}
MAX_KEY_LENGTH = 200  # IdempotencyRecord.key


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(HEADER, b"").decode()
        token = headers.get(b"authorization", b"").decode()
        if not key or not token.lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY_LENGTH:
            detail = f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters"
            await _send_json(send, 422, {"detail": detail}, replay=False)
            return
        db: Database = scope["app"].state.db
        body = await _read_body(receive)
        body_hash = hashlib.sha256(
            b"\n".join(
                (
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                )
            )
        ).hexdigest()
        user = await caller_of(scope, hash_token(token[7:]))
        if user is None:  # let the route answer 401
            await self.app(scope, _replay_receive(body, receive), send)
            return
        claimed = await self._claim(db, user.id, key, scope, body_hash)
        if isinstance(claimed, tuple):
            status, payload, replay = claimed
            await _send_json(send, status, payload, replay)
            return
        captured: dict[str, Any] = {"status": 500, "body": b"", "stored": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
                if not message.get("more_body"):
                    # Stored before the caller can see the answer, so a replay sent the moment
                    # it arrives finds it.
                    await self._finish(db, user.id, key, captured["status"], captured["body"])
                    captured["stored"] = True
            await send(message)

        try:
            await self.app(scope, _replay_receive(body, receive), capture)
        finally:
            if not captured["stored"]:
                await self._finish(db, user.id, key, captured["status"], captured["body"])

    async def _claim(
        self, db: Database, user_id: str, key: str, scope: Scope, body_hash: str
    ) -> tuple[int, Any, bool] | None:
        """None when this request is the first with the key; else the answer to give, and
        whether it is the stored answer replayed."""
        async with db.session() as session:
            session.add(
                IdempotencyRecord(
                    user_id=user_id,
                    key=key,
                    method=scope["method"],
                    path=scope["path"],
                    body_hash=body_hash,
                    created_at=utcnow(),
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            record = await session.get(IdempotencyRecord, (user_id, key))
        busy = {"detail": "a request with this Idempotency-Key is being answered; retry"}
        if record is None:
            return 409, busy, False
        if record.body_hash != body_hash:
            detail = "Idempotency-Key was already used with a different request"
            return 422, {"detail": detail}, False
        if record.status_code is None:
            return 409, busy, False
        return record.status_code, json.loads(record.response_body or "null"), True

    async def _finish(self, db: Database, user_id: str, key: str, status: int, body: bytes) -> None:
        async with db.session() as session:
            record = await session.get(IdempotencyRecord, (user_id, key))
            if record is None:
                return
            if status >= 500:
                # A failure is not an answer: the key may be used again.
                await session.delete(record)
            else:
                record.status_code = status
                record.response_body = body.decode() or "null"
                session.add(record)
            await session.commit()


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


def _replay_receive(body: bytes, original: Receive) -> Receive:
    """The body already read, then whatever the client sends next (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _send_json(send: Send, status: int, payload: Any, replay: bool = True) -> None:
    # A 204 (an unstar, a withdrawn slot) has no body, and HTTP forbids sending one.
    data = b"" if status in NO_BODY else json.dumps(payload).encode()
    headers = [(b"content-length", str(len(data)).encode())]
    if replay:
        headers.append((b"idempotent-replay", b"true"))
    if data:
        headers.insert(0, (b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
