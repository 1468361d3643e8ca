"""The import runner: members' CSV imports (server.services.accounts.import_rows), a few rows of one job a
round so that several members' imports take turns and other queues are not held up."""
from __future__ import annotations

from server.runtime import Runtime
from server.services.accounts.import_rows import claim, work_on

ROWS_PER_ROUND = 20


class ImportRunner:
    """Runner of the "imports" queue (see server.jobs.worker for the runner interface)."""

    name = "imports"

    def __init__(self, rows_per_round: int = ROWS_PER_ROUND) -> None:
        self.rows_per_round = rows_per_round

    async def run_once(self, runtime: Runtime) -> int:
        job_id = await claim(runtime)
        return 0 if job_id is None else await work_on(runtime, job_id, self.rows_per_round)
