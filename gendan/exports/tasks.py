"""Huey tasks: run one export job; hourly, expire old files and fail jobs whose worker died."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def export_job_task(job_id: int) -> None:
    from gendan.exports.services import export_job_run

    export_job_run(job_id=job_id)


@db_periodic_task(crontab(minute="17"))
@lock_task("gendan-exports-sweep")
def export_jobs_sweep_task() -> None:
    from gendan.exports.services import export_jobs_sweep

    export_jobs_sweep()
