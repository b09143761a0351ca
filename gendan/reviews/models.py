from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.models import TimeStampedModel
from gendan.orders.models import Order


class ReviewDepartment(models.TextChoices):
    """The departments that sign the customer order review form (客户订单评审表)."""

    BUSINESS = "business", _("Business (price, terms)")
    TECHNICAL = "technical", _("Technical (process, specifications)")
    PLANNING = "planning", _("Planning (capacity)")
    PURCHASING = "purchasing", _("Purchasing / warehouse (materials)")
    QUALITY = "quality", _("Quality (standard, AQL)")
    FINANCE = "finance", _("Finance (credit)")


class Review(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("review status", "Open")
        APPROVED = "approved", pgettext_lazy("review status", "Approved")
        REJECTED = "rejected", pgettext_lazy("review status", "Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    feasible_date = models.DateField(_("earliest feasible date"))
    feasible_basis = models.JSONField(_("basis of the feasible date"), default=dict)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    credit_open_amount = models.DecimalField(
        _("open orders"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    credit_order_amount = models.DecimalField(
        _("this order"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    credit_ok = models.BooleanField(_("within credit"), default=True)
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    promise_reason = models.CharField(_("reason for an early promise"), max_length=300, blank=True)
    is_date_risk = models.BooleanField(_("promised earlier than feasible"), default=False)
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order review")
        verbose_name_plural = _("order reviews")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "round"], name="reviews_review_order_round_uniq"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="open"), name="reviews_review_one_open_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} #{self.round}"


class ReviewItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", pgettext_lazy("review item", "Pending")
        PASS = "pass", _("Pass")
        CONDITIONAL = "conditional", _("Conditional")
        FAIL = "fail", _("Fail")

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="items"
    )
    department = models.CharField(_("department"), max_length=20, choices=ReviewDepartment.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, default=Result.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "department"], name="reviews_item_dept_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.department}"
