"""Background tasks (huey): the follow-up scan every 30 minutes. `make run` starts the consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gendan.followup.scan import followup_scan


@db_periodic_task(crontab(minute="*/30"))
@lock_task("followup-scan")
def followup_scan_task() -> dict:
    return followup_scan()
