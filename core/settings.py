"""Every setting of the product, read from the environment (or a `.env` file)."""

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.codec import DEV_PAYLOAD_KEYS, KeyRing


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/hiring.db"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "hiring"
    # Keys sealing every payload Temporal stores, `id:base64key` separated by commas, newest
    # first (core/codec.py); the default is the public dev key.
    payload_keys: str = DEV_PAYLOAD_KEYS
    # Browser origins of the Temporal UI allowed to call the codec endpoint (comma-separated).
    codec_cors_origins: str = "http://localhost:8233,http://127.0.0.1:8233"

    # Email: with SMTP_HOST empty, mail is written as .eml files to MAIL_OUTBOX_DIR.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # The longest wait for the SMTP server at each step of a send; a whole send (connecting
    # included) takes at most twice this (notifications/email.py), which fits the notification
    # activity's timeout and each step its heartbeat timeout (activities/notify.py).
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=15)
    mail_from: str = "Hiring <no-reply@hiring.local>"
    mail_outbox_dir: str = "var/outbox"
    relay_domain: str = "relay.hiring.local"
    inbound_email_secret: str = "dev-inbound-secret"

    public_base_url: str = "http://localhost:8000"
    video_base_url: str = "https://video.hiring.local/rooms"
    video_room_secret: str = "dev-video-room-secret"  # keys the room names (not guessable)
    api_host: str = "127.0.0.1"
    api_port: int = 8000

    # Updates each API process lets through at once on one round's slot pool (claims beyond
    # wait their turn): keep it, times the number of API processes, below the Temporal server's
    # `history.maxInFlightUpdates` (10 by default; 500 in the dev stack and compose). Past
    # POOL_UPDATES_QUEUED waiting claims, a claim answers 503 with Retry-After.
    pool_updates_in_flight: int = Field(default=8, ge=1)
    pool_updates_queued: int = Field(default=5000, ge=0)

    # The dev stack (`make run`): its Temporal dev server listens on TEMPORAL_ADDRESS's port.
    temporal_ui_port: int = 8233
    temporal_db_file: str = "var/temporal.db"
    demo_tokens_file: str = "var/demo-tokens.json"

    @field_validator("payload_keys")
    @classmethod
    def _a_valid_key_ring(cls, value: str) -> str:
        KeyRing.parse(value)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
