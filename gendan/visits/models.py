"""Return visits (客户回访): one falls due after an order is delivered; four scores of 1–5 and comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.models import VersionedModel
from gendan.orders.models import Order
from gendan.parties.models import Customer

# Policy: the visit is due this many calendar days after the delivery (签收).
VISIT_DUE_DAYS_AFTER_DELIVERY = 7
SCORE_FIELDS = ("score_quality", "score_delivery", "score_service", "score_communication")


class VisitStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit in person")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Video call")


def _score(label):
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


class ReturnVisit(VersionedModel):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="return_visits"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="return_visits"
    )
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merchandiser"), on_delete=models.PROTECT, related_name="+"
    )
    delivered_on = models.DateField(_("delivered on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DUE
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=VisitMethod.choices, blank=True)
    contact_person = models.CharField(_("customer contact"), max_length=100, blank=True)
    score_quality = _score(_("quality"))
    score_delivery = _score(_("delivery"))
    score_service = _score(_("service"))
    score_communication = _score(_("communication"))
    comments = models.TextField(_("comments"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="visits_status_due"),
            models.Index(fields=["merchandiser", "status", "due_on"], name="visits_merch_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="visits_one_per_order"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"visits_{name}_1_to_5",
                )
                for name in SCORE_FIELDS
            ],
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(
                    visited_on__isnull=False,
                    score_quality__isnull=False,
                    score_delivery__isnull=False,
                    score_service__isnull=False,
                    score_communication__isnull=False,
                ),
                name="visits_done_has_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_status_display()}"

    @property
    def average(self):
        scores = [getattr(self, name) for name in SCORE_FIELDS]
        if any(score is None for score in scores):
            return None
        from decimal import Decimal

        return (Decimal(sum(scores)) / 4).quantize(Decimal("0.01"))
