"""Huey task: the nightly refresh of the query planner's statistics (gendan.core.dbstats)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="15"))
@lock_task("gendan-db-analyze")
def database_analyze_task() -> None:
    from gendan.core.dbstats import database_analyze

    database_analyze()
