from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PlanningConfig(AppConfig):
    name = "gendan.planning"
    label = "planning"

    def ready(self) -> None:
        from gendan.planning.calendar import calendar_cache_clear
        from gendan.planning.models import CalendarDay, CalendarYear

        for model in (CalendarDay, CalendarYear):
            post_save.connect(
                calendar_cache_clear, sender=model, dispatch_uid=f"calendar-cache-{model.__name__}"
            )
            post_delete.connect(
                calendar_cache_clear, sender=model, dispatch_uid=f"calendar-cache-del-{model.__name__}"
            )
