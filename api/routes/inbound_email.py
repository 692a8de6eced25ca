"""Replies by email: the mail relay posts each message sent to a thread's relay address here."""

import hashlib
import hmac
import json

from fastapi import APIRouter, Header, HTTPException, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import func, select

from api.deps import AppSettings, Now, Session, Temporal
from api.routes.threads import post_message
from notifications.inbound import InboundEmail, from_fields, parse_raw, strip_quoted_history
from notifications.threads import is_party, relay_token_in
from store.models import Thread, User

router = APIRouter(tags=["messages"])

MAX_BYTES = 10 * 1024 * 1024


class InboundFields(BaseModel):
    """The JSON form: what a mail relay service extracts from the message."""

    to: str | list[str] = Field(description="the recipient address(es), one a relay address")
    from_: str = Field(alias="from", description="the sender's address")
    text: str = Field(description="the plain-text body, quoted history included")
    message_id: str | None = Field(default=None, description="the Message-ID, for dedup")


class InboundOut(BaseModel):
    status: str  # posted | duplicate | ignored
    thread_id: str | None = None
    message_id: str | None = None


DESCRIPTION = """A reply by email, into its thread. Called by the mail relay, not by users:
the `X-Inbound-Secret` header must carry the shared secret (else 401).

The body is either the raw message (RFC 822; any content type but JSON, e.g. `message/rfc822`)
or JSON `{"to": ..., "from": ..., "text": ..., "message_id": ...}`.

The thread is found by the relay address among the recipients (`thread-<token>@<relay domain>`;
none or an unknown token: 404). The sender is found by the From address among the thread's two
sides, the company's client members and the contractor (anyone else: 422). Quoted history ("On …
wrote:", lines starting with ">", signatures after "-- ", forwarded or Outlook header blocks) is
dropped; what remains is posted as the sender's message and emailed to the other side, masked
before hire like any message. The same Message-ID posted twice adds one message (`duplicate`);
auto-replies (Auto-Submitted, Precedence: auto_reply/bulk) are `ignored` (202)."""


async def _read(request: Request) -> InboundEmail:
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise HTTPException(413, "the message is too large")
    if "json" in request.headers.get("content-type", ""):
        try:
            fields = InboundFields.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as error:
            raise HTTPException(422, f"not an inbound email: {error}") from error
        return from_fields(fields.to, fields.from_, fields.text, fields.message_id)
    return parse_raw(raw)


@router.post(
    "/inbound-email",
    response_model=InboundOut,
    status_code=201,
    description=DESCRIPTION,
    responses={
        202: {"model": InboundOut, "description": "an automatic reply, ignored"},
        401: {"description": "bad or missing X-Inbound-Secret"},
        404: {"description": "no thread has this relay address"},
        413: {"description": "the message is too large"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": InboundFields.model_json_schema(by_alias=True)},
            },
        }
    },
)
async def inbound_email(
    request: Request,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
    response: Response,
    x_inbound_secret: str | None = Header(default=None),
) -> InboundOut:
    if not x_inbound_secret or not hmac.compare_digest(
        x_inbound_secret.encode(), settings.inbound_email_secret.encode()
    ):
        raise HTTPException(401, "bad or missing X-Inbound-Secret")
    mail = await _read(request)
    if mail.automatic:
        response.status_code = 202
        return InboundOut(status="ignored")
    token = relay_token_in(mail.recipients, settings.relay_domain)
    thread = (
        (await session.exec(select(Thread).where(Thread.relay_token == token))).first()
        if token
        else None
    )
    if thread is None:
        raise HTTPException(404, "no thread has this relay address")
    senders = await session.exec(select(User).where(func.lower(User.email) == mail.sender))
    sender = next((u for u in senders if is_party(u, thread)), None)
    if sender is None:
        raise HTTPException(422, "the sender is not a side of this thread")
    body = strip_quoted_history(mail.text)
    if not body:
        raise HTTPException(422, "the reply has no text above the quoted history")
    event_key = (
        "inbound:" + hashlib.sha256(mail.message_id.encode()).hexdigest()
        if mail.message_id
        else None
    )
    message, created = await post_message(
        session, temporal, settings, thread, sender, body[:10_000], now, event_key=event_key
    )
    if not created:
        response.status_code = 200
    return InboundOut(
        status="posted" if created else "duplicate", thread_id=thread.id, message_id=message.id
    )
