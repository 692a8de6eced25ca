"""The one Temporal client a process uses, with the shared data converter (payloads sealed with
PAYLOAD_KEYS)."""

from temporalio.client import Client

from core.temporal import data_converter, warn_if_dev_key
from workers.settings import Settings


async def connect(settings: Settings) -> Client:
    warn_if_dev_key(settings.payload_keys, settings.database_url)
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
    )
