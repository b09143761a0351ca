"""Huey task: the morning materials scan (late or short arrivals → exceptions). Idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="6", minute="30"))
@lock_task("gendan-materials-scan")
def materials_scan_task() -> None:
    from django.utils import timezone

    from gendan.materials.services import materials_scan

    materials_scan(today=timezone.localdate())
