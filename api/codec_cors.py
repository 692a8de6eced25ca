"""CORS for the codec endpoint only: the Temporal UI (another origin) calls /codec/* from the
operator's browser, with cookies when asked; no other route is opened to other origins."""

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/codec/"


class CodecCors:
    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def origins_of(setting: str) -> list[str]:
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]
