from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gendan.followup.models import (
    FollowupException,
    FollowupPolicy,
    OrderRisk,
    ScanRun,
    TaPlan,
    TaTemplate,
    TaTemplateMilestone,
)


@admin.register(FollowupPolicy)
class FollowupPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "records_per_day",
        "due_soon_days",
        "escalation_l1_hours",
        "escalation_l2_hours",
        "concealment_hours",
        "risk_buffer_days",
        "projection_days",
        "original_reminder_days",
    ]
    fieldsets = [
        (None, {"fields": ["effective_from", "note"]}),
        (_("Progress records"), {"fields": ["records_per_day", "day_starts_at", "day_ends_at"]}),
        (_("Milestones and risk"), {"fields": ["due_soon_days", "risk_buffer_days", "projection_days"]}),
        (
            _("Exceptions"),
            {
                "fields": [
                    "escalation_l1_hours",
                    "escalation_l2_hours",
                    "concealment_hours",
                    "original_reminder_days",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # a past day is judged by the row in force then: add a new row rather than delete an old one
        return False


class TaTemplateMilestoneInline(admin.TabularInline):
    model = TaTemplateMilestone
    extra = 1
    fields = ["sequence", "code", "name", "owner_role", "lead_days", "offset_from", "mandatory"]
    ordering = ["sequence"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "offset_from":
            template_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = TaTemplateMilestone.objects.filter(template_id=template_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TaTemplate)
class TaTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "industry", "business_type", "active"]
    list_filter = ["industry", "business_type", "active"]
    search_fields = ["code", "name"]
    inlines = [TaTemplateMilestoneInline]


@admin.register(TaPlan)
class TaPlanAdmin(admin.ModelAdmin):
    list_display = ["order", "template", "promised_date", "created_at"]
    search_fields = ["order__number"]
    readonly_fields = ["order", "template", "promised_date", "generated_by", "warnings"]

    def has_add_permission(self, request):
        return False


@admin.register(FollowupException)
class FollowupExceptionAdmin(admin.ModelAdmin):
    """Read-only: exceptions change through their actions (raise, escalate, resolve, close)."""

    list_display = ["number", "order", "type", "severity", "level", "status", "raised_at"]
    list_filter = ["status", "level", "type", "severity"]
    search_fields = ["number", "title", "order__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderRisk)
class OrderRiskAdmin(admin.ModelAdmin):
    list_display = ["order", "level", "projected_finish", "daily_output", "level_since", "computed_at"]
    list_filter = ["level"]
    search_fields = ["order__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "as_of"]
    readonly_fields = ["started_at", "finished_at", "as_of", "summary"]

    def has_add_permission(self, request):
        return False
