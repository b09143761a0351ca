"""Comments in the admin: read-only (posting, editing and withdrawing go through the services)."""

from django.contrib import admin

from gendan.discussion.models import Comment, CommentEdit, CommentMention


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MentionInline(admin.TabularInline):
    model = CommentMention
    extra = 0
    can_delete = False
    readonly_fields = ("user", "name")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EditInline(MentionInline):
    model = CommentEdit
    readonly_fields = ("previous_body", "edited_by", "edited_at")


@admin.register(Comment)
class CommentAdmin(_ReadOnly):
    list_display = (
        "id",
        "order",
        "owner_type",
        "owner_id",
        "author",
        "created_at",
        "edited_at",
        "withdrawn_at",
    )
    list_filter = ("owner_type",)
    search_fields = ("order__number", "author__username")
    list_select_related = ("order", "author", "owner_type")
    inlines = (MentionInline, EditInline)
