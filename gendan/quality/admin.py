from django.contrib import admin

from gendan.quality.models import Inspection, InspectionClassResult


class InspectionClassResultInline(admin.TabularInline):
    model = InspectionClassResult
    extra = 0
    can_delete = False
    readonly_fields = [
        "defect_class",
        "aql",
        "plan_code_letter",
        "sample_size",
        "full_inspection",
        "accept_number",
        "reject_number",
        "defects_found",
        "passed",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-only: inspections are recorded, conceded and cancelled through their services."""

    list_display = ["number", "order", "stage", "lot_size", "level", "code_letter", "status", "inspected_on"]
    list_filter = ["stage", "status", "level"]
    search_fields = ["number", "order__number"]
    inlines = [InspectionClassResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
