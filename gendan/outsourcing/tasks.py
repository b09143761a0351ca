"""Background task (huey): the outsourcing overdue scan, every morning."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gendan.outsourcing.services import outsourcing_overdue_scan


@db_periodic_task(crontab(hour="7", minute="15"))
@lock_task("outsourcing-overdue-scan")
def outsourcing_overdue_scan_task() -> dict:
    return outsourcing_overdue_scan(today=timezone.localdate())
