from django.contrib import admin

from gendan.capacity.models import (
    RouteStep,
    ScheduleResult,
    ScheduleSnapshot,
    WorkCentre,
    WorkCentreWeekLoad,
)
from gendan.core.admin import ReadOnlyAdmin


@admin.register(WorkCentre)
class WorkCentreAdmin(admin.ModelAdmin):
    """Master data; a change makes the next schedule run a full one (the fingerprint changes)."""

    list_display = ("code", "name", "daily_minutes", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    readonly_fields = ("version",)


@admin.register(RouteStep)
class RouteStepAdmin(admin.ModelAdmin):
    list_display = ("product", "sequence", "work_centre", "minutes_per_piece")
    list_filter = ("work_centre",)
    search_fields = ("product__code",)
    list_select_related = ("product", "work_centre")
    autocomplete_fields = ("product",)


@admin.register(ScheduleResult)
class ScheduleResultAdmin(ReadOnlyAdmin):
    list_display = ("order", "due_date", "material_ready_date", "start_date", "completion_date", "is_late")
    list_filter = ("is_late", "beyond_horizon", "has_route")
    search_fields = ("order__number",)
    list_select_related = ("order",)
    show_full_result_count = False


@admin.register(WorkCentreWeekLoad)
class WorkCentreWeekLoadAdmin(ReadOnlyAdmin):
    list_display = (
        "work_centre",
        "week_start",
        "capacity_minutes",
        "load_minutes",
        "demand_minutes",
        "overloaded",
    )
    list_filter = ("overloaded", "work_centre")


@admin.register(ScheduleSnapshot)
class ScheduleSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("computed_at", "kind", "horizon_start", "horizon_end", "orders", "changed", "duration_ms")
