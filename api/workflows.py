"""Starting, updating and querying workflows from the API, with errors mapped to HTTP."""

from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.errors import raise_from_update


async def update(client: Client, workflow_id: str, method: Any, arg: Any = None) -> Any:
    handle = client.get_workflow_handle(workflow_id)
    try:
        if arg is None:
            return await handle.execute_update(method)
        return await handle.execute_update(method, arg)
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise_from_update(error)


async def query(client: Client, workflow_id: str, method: Any) -> Any:
    return await client.get_workflow_handle(workflow_id).query(method)
