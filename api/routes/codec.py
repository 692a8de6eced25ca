"""The remote codec of Temporal's UI and CLI (`POST /codec/decode`, `POST /codec/encode`): it
opens (or seals) payloads with PAYLOAD_KEYS so an operator reads what workflows carry. Ops only.

The body is Temporal's `Payloads` in protobuf JSON: `{"payloads": [{"metadata": {"encoding":
"<base64>"}, "data": "<base64>"}]}`, as `temporal --codec-endpoint` and the UI send it. The ops
token comes as `Authorization: Bearer <token>` (the CLI's `--codec-auth`), or from the
`codec_token` cookie that `/codec/session` sets in the operator's browser (the UI sends cookies
with "Include cross-origin credentials"; its "Pass the user access token" sends the UI's own
sign-in token, which is not a token of this product). Cross-origin calls are allowed from
CODEC_CORS_ORIGINS only (api/app.py)."""

import base64
import binascii
import html
from typing import Annotated, Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Cookie, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from temporalio.api.common.v1 import Payload

from api.deps import AppSettings, Session, _bearer, user_of
from core.codec import EncryptionCodec, KeyRing, UnknownPayloadKey
from domain.roles import Role
from store.models import User

router = APIRouter(prefix="/codec", tags=["codec"])

COOKIE = "codec_token"
MAX_PAYLOADS = 1_000
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "no ops token (bearer header or `codec_token` cookie), or an unknown one"},
    403: {"description": "only ops users may read payloads"},
}


class CodecPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    metadata: dict[str, str] = Field(default_factory=dict, description="values in base64")
    data: str = Field(default="", description="base64")


class CodecPayloads(BaseModel):
    payloads: list[CodecPayload] = Field(max_length=MAX_PAYLOADS)


async def codec_operator(
    session: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    codec_token: Annotated[str | None, Cookie(description="set by /codec/session")] = None,
) -> User:
    if credentials is None and codec_token:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=codec_token)
    user = await user_of(session, credentials)
    if user.role != Role.OPS:
        raise HTTPException(403, "only ops users may read payloads")
    return user


Operator = Annotated[User, Depends(codec_operator)]


async def _codec(settings: AppSettings) -> EncryptionCodec:
    return EncryptionCodec(KeyRing.parse(settings.payload_keys))


Codec = Annotated[EncryptionCodec, Depends(_codec)]


def _unbase64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, f"{what} is not valid base64") from None


def _from_json(body: CodecPayloads) -> list[Payload]:
    return [
        Payload(
            metadata={k: _unbase64(v, f"metadata {k!r}") for k, v in p.metadata.items()},
            data=_unbase64(p.data, "data"),
        )
        for p in body.payloads
    ]


def _to_json(payloads: list[Payload]) -> CodecPayloads:
    return CodecPayloads(
        payloads=[
            CodecPayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


@router.post("/decode", response_model=CodecPayloads, responses=REFUSED)
async def decode(body: CodecPayloads, operator: Operator, codec: Codec) -> CodecPayloads:
    """Open sealed payloads (a payload that is not sealed comes back as it is)."""
    try:
        return _to_json(await codec.decode(_from_json(body)))
    except UnknownPayloadKey as error:
        raise HTTPException(422, str(error)) from None
    except (InvalidTag, ValueError):
        raise HTTPException(422, "a payload does not open: altered, or not sealed here") from None


@router.post("/encode", response_model=CodecPayloads, responses=REFUSED)
async def encode(body: CodecPayloads, operator: Operator, codec: Codec) -> CodecPayloads:
    """Seal payloads with the newest key (e.g. the CLI's `--input` with `--codec-endpoint`)."""
    return _to_json(await codec.encode(_from_json(body)))


SESSION_PAGE = """<!doctype html><meta charset="utf-8"><title>Codec session</title>
<h1>Read payloads in the Temporal UI</h1>
<p>{message}</p>
<form method="post"><label>Ops token <input name="token" type="password" size="40"></label>
<button>Start</button></form>
<p>Then, in the Temporal UI, open the codec server settings, choose <em>Use my browser
setting</em>, enter this endpoint (this page's address without <code>/session</code>) and tick
<em>Include cross-origin credentials</em>.</p>"""


@router.get("/session", response_class=HTMLResponse, include_in_schema=False)
async def session_page() -> HTMLResponse:
    """A form where an operator gives their ops token once; it is kept in a cookie."""
    return HTMLResponse(SESSION_PAGE.format(message="Give your ops token to this browser."))


@router.post("/session", response_class=HTMLResponse, include_in_schema=False)
async def start_session(request: Request, session: Session) -> Response:
    token = parse_qs((await request.body()).decode(errors="replace")).get("token", [""])[0]
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token.strip())
    try:
        user = await user_of(session, credentials)
    except HTTPException:
        user = None
    if user is None or user.role != Role.OPS:
        page = SESSION_PAGE.format(message="That is not an ops token.")
        return HTMLResponse(page, status_code=403)
    name = html.escape(user.name)
    page = SESSION_PAGE.format(message=f"This browser reads payloads as {name}.")
    response = HTMLResponse(page)
    secure = request.url.scheme == "https"
    # The UI calls from another origin: a same-site one in the dev stack (Lax is enough), a
    # cross-site one in production (behind https, where None and Secure go together).
    response.set_cookie(
        COOKIE,
        token.strip(),
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
        path="/codec",
        max_age=12 * 3600,
    )
    return response
