from django.contrib import admin

from gendan.outsourcing.models import (
    OutsourcingDispatch,
    OutsourcingOrder,
    OutsourcingPlanItem,
    OutsourcingReturn,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DispatchInline(ReadOnlyInline):
    model = OutsourcingDispatch
    fields = ["dispatched_on", "quantity", "note", "created_by"]


class ReturnInline(ReadOnlyInline):
    model = OutsourcingReturn
    fields = [
        "returned_on",
        "quantity_returned",
        "quantity_defective",
        "fee_amount",
        "deduction_amount",
        "inspection_note",
        "created_by",
    ]


@admin.register(OutsourcingOrder)
class OutsourcingOrderAdmin(admin.ModelAdmin):
    """Read-only: outsourcing orders change through their services (issue, dispatch, return, close)."""

    list_display = ["number", "order", "subcontractor", "process", "quantity", "amount", "due_date", "status"]
    list_filter = ["status", "process"]
    search_fields = ["number", "order__number", "subcontractor__name"]
    inlines = [DispatchInline, ReturnInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutsourcingPlanItem)
class OutsourcingPlanItemAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "process",
        "subcontractor",
        "quantity",
        "planned_send_date",
        "planned_return_date",
    ]
    list_filter = ["process"]
    search_fields = ["order__number", "subcontractor__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
