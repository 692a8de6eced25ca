"""The one data converter of the API, the worker and the tests: pydantic models as JSON, every
payload sealed by the encryption codec, failure messages and stack traces sealed with them; and
the one Temporal client a process uses, made with it."""

import dataclasses
import logging

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from core.codec import DEV_PAYLOAD_KEYS, EncryptionCodec, KeyRing
from core.settings import Settings

DEV_DATABASE_URL = "sqlite:///var/hiring.db"
log = logging.getLogger(__name__)


def data_converter(payload_keys: str = DEV_PAYLOAD_KEYS) -> DataConverter:
    """The converter for a PAYLOAD_KEYS setting (the dev key ring by default)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(KeyRing.parse(payload_keys)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def warn_if_dev_key(payload_keys: str, database_url: str) -> bool:
    """Log a warning when the public dev key seals payloads outside the dev stack (whose
    database is the default SQLite file); whether it warned."""
    if not KeyRing.parse(payload_keys).uses_dev_key() or database_url == DEV_DATABASE_URL:
        return False
    log.warning(
        "PAYLOAD_KEYS is the public dev key, yet DATABASE_URL is not the dev stack's: anyone can "
        "read these workflow histories. Set PAYLOAD_KEYS to a key of your own "
        '(python -c "from core.codec import new_key; print(new_key())").'
    )
    return True


async def connect(settings: Settings) -> Client:
    """The process's Temporal client, with payloads sealed with PAYLOAD_KEYS."""
    warn_if_dev_key(settings.payload_keys, settings.database_url)
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
    )
