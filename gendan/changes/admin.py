from django.contrib import admin

from gendan.changes.models import ChangeRequest, ChangeRequestItem
from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline


class ChangeRequestItemInline(ReadOnlyInline):
    model = ChangeRequestItem
    fields = ("department", "result", "comment", "signer", "signed_at")
    readonly_fields = fields


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """Read-only: change requests move only through gendan.changes.services."""

    list_display = ("number", "order", "status", "cause", "base_revision", "applied_revision", "created_at")
    list_filter = ("status", "cause")
    search_fields = ("number", "order__number")
    inlines = [ChangeRequestItemInline]
