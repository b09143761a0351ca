"""Outsourced processing (外协加工管理, SPEC §2.8).

- `OutsourcingPlanItem`: a line of the order's outsourcing plan (外协加工计划表): which process goes out,
  to which subcontractor, how many, planned send and return dates.
- `OutsourcingOrder`: the outsourcing order (外协加工单) sent to a subcontractor, with a gap-free number
  (WX2026-000001), price and amount, materials issued, due date and quality requirements. Its status
  follows the table in workflows.py; "partially returned" and "returned" are derived from the returns.
- `OutsourcingDispatch` / `OutsourcingReturn`: goods sent out and coming back (quantity returned, of which
  defective, the inspection note, the fee and the rework deduction fixed when the return is recorded).
- `OutsourcingOverdueAlert`: one row per (outsourcing order, due date) whose return went overdue, so the
  scan raises the exception once.

The quantity totals on the outsourcing order (dispatched, returned, defective) are sums of the rows below,
kept by the services in the same transaction as each row; the outstanding balance is derived from them.
"""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.models import EventModel, VersionedModel
from gendan.orders.models import Order, OrderLine
from gendan.parties.models import Supplier

ZERO = Decimal(0)


class Process(models.TextChoices):
    PRINTING = "printing", _("Printing")
    EMBROIDERY = "embroidery", _("Embroidery")
    WASHING = "washing", _("Washing")
    DYEING = "dyeing", _("Dyeing")
    FOIL = "foil", _("Foil stamping")
    LAMINATION = "lamination", _("Lamination")
    UV = "uv", _("UV coating")
    DIE_CUTTING = "die_cutting", _("Die cutting")
    BINDING = "binding", _("Binding")
    OTHER = "other", _("Other")


# The Chinese names printed on the outsourcing order and the statement, whatever the UI language.
PROCESS_ZH = {
    Process.PRINTING: "印花/印刷",
    Process.EMBROIDERY: "绣花",
    Process.WASHING: "洗水",
    Process.DYEING: "染色",
    Process.FOIL: "烫金",
    Process.LAMINATION: "覆膜",
    Process.UV: "过UV",
    Process.DIE_CUTTING: "模切",
    Process.BINDING: "装订",
    Process.OTHER: "其他",
}


class OutsourcingPlanItem(VersionedModel):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="outsourcing_plan"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process = models.CharField(_("process"), max_length=20, choices=Process.choices)
    process_detail = models.CharField(_("process detail"), max_length=200, blank=True)
    subcontractor = models.ForeignKey(
        Supplier,
        verbose_name=_("subcontractor"),
        on_delete=models.PROTECT,
        related_name="outsourcing_plan_items",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    planned_send_date = models.DateField(_("planned send date"))
    planned_return_date = models.DateField(_("planned return date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("outsourcing plan item")
        verbose_name_plural = _("outsourcing plan items")
        ordering = ["order", "planned_send_date", "id"]
        indexes = [models.Index(fields=["order", "planned_send_date"], name="outs_plan_order_send")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="outs_plan_quantity_positive"),
            models.CheckConstraint(
                condition=Q(planned_return_date__gte=F("planned_send_date")),
                name="outs_plan_return_after_send",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.process}/{self.subcontractor_id}"


class OutsourcingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", pgettext_lazy("outsourcing status", "Issued")
    PARTIALLY_RETURNED = "partially_returned", _("Partially returned")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OUTSOURCING_STATUS_ZH = {
    OutsourcingStatus.DRAFT: "草稿",
    OutsourcingStatus.ISSUED: "已下达",
    OutsourcingStatus.PARTIALLY_RETURNED: "部分回厂",
    OutsourcingStatus.RETURNED: "已回厂",
    OutsourcingStatus.CLOSED: "已结案",
    OutsourcingStatus.CANCELLED: "已取消",
}
# Goods may be at the subcontractor: dispatches, returns and the overdue scan apply.
OPEN_STATUSES = (OutsourcingStatus.ISSUED, OutsourcingStatus.PARTIALLY_RETURNED)


class OutsourcingOrder(VersionedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="outsourcing_orders"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_item = models.ForeignKey(
        OutsourcingPlanItem,
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outsourcing_orders",
    )
    subcontractor = models.ForeignKey(
        Supplier, verbose_name=_("subcontractor"), on_delete=models.PROTECT, related_name="outsourcing_orders"
    )
    process = models.CharField(_("process"), max_length=20, choices=Process.choices)
    description = models.CharField(_("specification"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    materials_issued = models.TextField(_("materials issued"), blank=True)
    due_date = models.DateField(_("due date"))
    quality_requirements = models.TextField(_("quality requirements"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OutsourcingStatus.choices, default=OutsourcingStatus.DRAFT
    )
    quantity_dispatched = models.DecimalField(
        _("quantity sent"), max_digits=14, decimal_places=3, default=ZERO
    )
    quantity_returned = models.DecimalField(
        _("quantity returned"), max_digits=14, decimal_places=3, default=ZERO
    )
    quantity_defective = models.DecimalField(
        _("quantity defective"), max_digits=14, decimal_places=3, default=ZERO
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outsourcing order")
        verbose_name_plural = _("outsourcing orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="outs_order_status_due"),
            models.Index(fields=["subcontractor", "status"], name="outs_order_sub_status"),
            models.Index(fields=["order", "status"], name="outs_order_order_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="outs_order_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="outs_order_price_nonneg"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="outs_order_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(quantity_dispatched__gte=0) & Q(quantity_dispatched__lte=F("quantity")),
                name="outs_order_dispatched_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__gte=0) & Q(quantity_returned__lte=F("quantity_dispatched")),
                name="outs_order_returned_within_dispatched",
            ),
            models.CheckConstraint(
                condition=Q(quantity_defective__gte=0) & Q(quantity_defective__lte=F("quantity_returned")),
                name="outs_order_defective_within_returned",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def quantity_at_subcontractor(self) -> Decimal:
        """Sent and not yet back: the outstanding balance at the subcontractor."""
        return self.quantity_dispatched - self.quantity_returned

    @property
    def quantity_to_send(self) -> Decimal:
        return self.quantity - self.quantity_dispatched

    @property
    def quantity_outstanding(self) -> Decimal:
        """Not yet back, whether sent or still to send."""
        return self.quantity - self.quantity_returned

    @property
    def quantity_good(self) -> Decimal:
        return self.quantity_returned - self.quantity_defective


class OutsourcingOrderEvent(EventModel):
    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        TRANSITION = "transition", _("Status changed")
        DISPATCHED = "dispatched", _("Sent to the subcontractor")
        RETURNED = "returned", _("Returned by the subcontractor")
        DUE_DATE_CHANGED = "due_date_changed", _("Due date changed")
        OVERDUE = "overdue", _("Return overdue")
        ORDER_REVISED = "order_revised", _("The customer order was revised: check quantity and date")

    outsourcing_order = models.ForeignKey(
        OutsourcingOrder, verbose_name=_("outsourcing order"), on_delete=models.PROTECT, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": OutsourcingStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("outsourcing order event")
        verbose_name_plural = _("outsourcing order events")
        indexes = [models.Index(fields=["outsourcing_order", "created_at"], name="outs_event_order_time")]


class OutsourcingDispatch(models.Model):
    outsourcing_order = models.ForeignKey(
        OutsourcingOrder,
        verbose_name=_("outsourcing order"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    dispatched_on = models.DateField(_("sent on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch to subcontractor")
        verbose_name_plural = _("dispatches to subcontractors")
        ordering = ["dispatched_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="outs_dispatch_quantity_positive")
        ]


class OutsourcingReturn(models.Model):
    """Goods back from the subcontractor. `quantity_returned` counts every piece back, of which
    `quantity_defective` failed the incoming inspection. The fee (returned × unit price) and the rework
    deduction (defective × unit price, or an amount given explicitly) are fixed when the return is recorded."""

    outsourcing_order = models.ForeignKey(
        OutsourcingOrder,
        verbose_name=_("outsourcing order"),
        on_delete=models.PROTECT,
        related_name="returns",
    )
    returned_on = models.DateField(_("returned on"))
    quantity_returned = models.DecimalField(_("quantity returned"), max_digits=14, decimal_places=3)
    quantity_defective = models.DecimalField(
        _("of which defective"), max_digits=14, decimal_places=3, default=ZERO
    )
    inspection_note = models.CharField(_("inspection note"), max_length=500, blank=True)
    explicit_deduction = models.BooleanField(_("deduction given explicitly"), default=False)
    fee_amount = models.DecimalField(_("processing fee"), max_digits=16, decimal_places=2)
    deduction_amount = models.DecimalField(
        _("rework deduction"), max_digits=16, decimal_places=2, default=ZERO
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return from subcontractor")
        verbose_name_plural = _("returns from subcontractors")
        ordering = ["returned_on", "id"]
        indexes = [models.Index(fields=["returned_on"], name="outs_return_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_returned__gt=0), name="outs_return_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_defective__gte=0) & Q(quantity_defective__lte=F("quantity_returned")),
                name="outs_return_defective_within_returned",
            ),
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="outs_return_fee_nonneg"),
            models.CheckConstraint(
                condition=Q(deduction_amount__gte=0) & Q(deduction_amount__lte=F("fee_amount")),
                name="outs_return_deduction_within_fee",
            ),
        ]

    @property
    def net_amount(self) -> Decimal:
        return self.fee_amount - self.deduction_amount


class OutsourcingOverdueAlert(models.Model):
    outsourcing_order = models.ForeignKey(
        OutsourcingOrder, verbose_name=_("outsourcing order"), on_delete=models.PROTECT, related_name="alerts"
    )
    due_date = models.DateField(_("due date"))
    raised_on = models.DateField(_("raised on"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("overdue return alert")
        verbose_name_plural = _("overdue return alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["outsourcing_order", "due_date"], name="outs_alert_order_due_uniq"
            )
        ]
