"""The baseline of the slot benchmark: one trivial workflow whose update does nothing."""

from temporalio import workflow


@workflow.defn
class NoopWorkflow:
    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return 0

    @workflow.update
    def touch(self, value: int) -> int:
        return value

    @workflow.signal
    def finish(self) -> None:
        self.done = True
