"""Reading the payloads a workflow history holds, as Temporal stores them (no codec)."""

from collections.abc import Iterator

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHistory


def payloads_in(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every Payload inside a protobuf message, with the path of fields that leads to it."""
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].type != field.TYPE_MESSAGE:
                continue
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:
            items = list(value)  # a repeated field
        for item in items:
            where = f"{path}.{field.name}"
            if isinstance(item, Payload):
                yield where, item
            else:
                yield from payloads_in(item, where)


def history_payloads(histories: list[WorkflowHistory]) -> list[tuple[str, Payload]]:
    return [found for h in histories for event in h.events for found in payloads_in(event)]


def raw_bytes(histories: list[WorkflowHistory]) -> bytes:
    """The histories' events exactly as the server keeps them (protobuf)."""
    return b"".join(event.SerializeToString() for h in histories for event in h.events)


async def histories_of(client: Client, workflow_ids: list[str]) -> list[WorkflowHistory]:
    return [await client.get_workflow_handle(i).fetch_history() for i in workflow_ids]


def is_search_attribute(path: str) -> bool:
    return ".search_attributes." in f"{path}."
