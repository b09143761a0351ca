"""Huey tasks: apply noted schedule changes after commit; a full run every night (the horizon starts
today, and projected material readiness is refreshed)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task(retries=2, retry_delay=5)
def schedule_update_task() -> None:
    from gendan.capacity.services import schedule_update

    schedule_update()


@db_periodic_task(crontab(hour="0", minute="20"))
@lock_task("gendan-capacity-nightly")
def schedule_nightly_task() -> None:
    from gendan.capacity.services import schedule_run

    schedule_run()
