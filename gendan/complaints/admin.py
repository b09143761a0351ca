from django.contrib import admin

from gendan.complaints.models import Complaint, ComplaintEvent
from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ("created_at", "actor", "type", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "customer",
        "order",
        "type",
        "severity",
        "status",
        "deadline",
        "claim_amount",
        "is_violation_evidence",
    )
    list_filter = ("status", "type", "severity", "is_violation_evidence")
    search_fields = ("number", "order__number")
    inlines = [ComplaintEventInline]
