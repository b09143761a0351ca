from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.reviews.models import Review, ReviewItem


class ReviewItemInline(ReadOnlyInline):
    model = ReviewItem
    fields = ("department", "result", "comment", "signer", "signed_at")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("order", "round", "status", "feasible_date", "promised_date", "is_date_risk", "credit_ok")
    list_filter = ("status", "is_date_risk", "credit_ok")
    inlines = [ReviewItemInline]
