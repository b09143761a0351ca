"""Permanent reassignment of a merchandiser's orders and customers to a colleague (resignation, transfer), with
the handover checklist as it stood at that moment. Leave (a temporary handover) is gendan.performance's."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.models import TimeStampedModel


class Reassignment(TimeStampedModel):
    from_merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from merchandiser"),
        on_delete=models.PROTECT,
        related_name="reassignments_given",
    )
    to_merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to merchandiser"),
        on_delete=models.PROTECT,
        related_name="reassignments_received",
    )
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    order_ids = models.JSONField(_("orders"), default=list)
    customer_ids = models.JSONField(_("customers"), default=list)
    # the checklist of gendan.reassignments.selectors.handover_checklist, as handed over (numbers and dates)
    checklist = models.JSONField(_("handover checklist"), default=dict)

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_merchandiser=models.F("to_merchandiser")), name="reassign_from_to_differ"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_merchandiser} → {self.to_merchandiser}"
