from django.contrib import admin

from gendan.changes.models import ChangeRequest, ChangeRequestItem


class ChangeRequestItemInline(admin.TabularInline):
    model = ChangeRequestItem
    extra = 0
    readonly_fields = ("department", "result", "comment", "signer", "signed_at")
    can_delete = False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Read-only: change requests move only through gendan.changes.services."""

    list_display = ("number", "order", "status", "cause", "base_revision", "applied_revision", "created_at")
    list_filter = ("status", "cause")
    search_fields = ("number", "order__number")
    inlines = [ChangeRequestItemInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
