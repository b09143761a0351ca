from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin
from gendan.visits.models import ReturnVisit


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = (
        "order",
        "customer",
        "merchandiser",
        "due_on",
        "status",
        "visited_on",
        "score_quality",
        "score_delivery",
        "score_service",
        "score_communication",
    )
    list_filter = ("status",)
