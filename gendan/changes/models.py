"""Change requests (改单申请): a proposed new version of a reviewed order, re-signed by the departments it
touches and concluded by the supervisor (the general manager above the policy amount)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.core.models import VersionedModel
from gendan.orders.models import Order
from gendan.reviews.models import ReviewDepartment, ReviewItem


class ChangeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting signatures and decision")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class ChangeCause(models.TextChoices):
    CUSTOMER = "customer", _("Customer's request")
    INTERNAL = "internal", _("Ours (internal)")


_STATUS_LABELS = dict(ChangeStatus.choices)


class ChangeRequest(VersionedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="change_requests"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.OPEN
    )
    cause = models.CharField(_("cause"), max_length=10, choices=ChangeCause.choices)
    reason = models.TextField(_("reason for the change"))
    base_revision = models.PositiveSmallIntegerField(_("raised against revision"))
    base_version = models.PositiveIntegerField(_("raised against order version"))
    # The proposed order: {"header": {...}, "lines": [{"line": id | None, "product", "quantity", ...}]} in the
    # raw shape orders.validation reads; `changes` the diff against the base revision; `touches` its kinds.
    proposed = models.JSONField(_("proposed order"), default=dict)
    changes = models.JSONField(_("changes"), default=list)
    touches = models.JSONField(_("what the change touches"), default=list)
    old_amount = models.DecimalField(
        _("amount before"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    new_amount = models.DecimalField(_("amount after"), max_digits=16, decimal_places=2, default=Decimal("0"))
    feasible_date = models.DateField(_("earliest feasible date"), null=True, blank=True)
    feasible_basis = models.JSONField(_("basis of the feasible date"), default=dict, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    credit_open_amount = models.DecimalField(
        _("open orders"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    credit_ok = models.BooleanField(_("within credit"), default=True)
    needs_gm = models.BooleanField(_("the general manager decides"), default=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
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
    applied_revision = models.PositiveSmallIntegerField(_("revision created"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["order", "status"], name="changes_cr_order_status")]

    def __str__(self) -> str:
        return self.number

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


class ChangeRequestItem(models.Model):
    """One department's re-signature (the review's departments and results)."""

    change_request = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="items"
    )
    department = models.CharField(_("department"), max_length=20, choices=ReviewDepartment.choices)
    result = models.CharField(
        _("result"), max_length=12, choices=ReviewItem.Result.choices, default=ReviewItem.Result.PENDING
    )
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
        verbose_name = _("change request signature")
        verbose_name_plural = _("change request signatures")
        ordering = ["change_request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "department"], name="changes_item_dept_uniq"),
        ]
        indexes = [
            models.Index(fields=["department", "result"], name="changes_item_dept_result"),
        ]

    def __str__(self) -> str:
        return f"{self.change_request} {self.department}"
