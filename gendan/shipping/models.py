"""Shipments (成品发运) per order line, their packing data, and the sample dispatch register (寄样)."""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.models import Product
from gendan.core.models import EventModel, VersionedModel
from gendan.orders.models import Order, OrderLine
from gendan.parties.models import Customer


class ShipmentStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received by the customer")
    CANCELLED = "cancelled", _("Cancelled")


class TransportMode(models.TextChoices):
    ROAD = "road", _("Road (third-party logistics)")
    EXPRESS = "express", _("Express courier")
    SEA = "sea", _("Sea freight")
    AIR = "air", _("Air freight")
    RAIL = "rail", _("Rail")
    PICKUP = "pickup", _("Collected by the customer")


class Shipment(VersionedModel):
    """One dispatch of goods of one order. Created when the goods leave (the ledger is posted then);
    cancelled, never deleted."""

    number = models.CharField(_("shipment number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="shipments"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.SHIPPED
    )
    ship_date = models.DateField(_("ship date"))
    expected_arrival = models.DateField(_("expected arrival"))
    transport_mode = models.CharField(
        _("transport"), max_length=20, choices=TransportMode.choices, default=TransportMode.ROAD
    )
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_by = models.CharField(_("signed for by"), max_length=100, blank=True)
    receipt_note = models.CharField(_("receipt note"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    total_quantity = models.DecimalField(_("total quantity"), max_digits=16, decimal_places=3)
    total_amount = models.DecimalField(_("total amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-ship_date", "-id"]
        indexes = [
            models.Index(fields=["order", "status"], name="shipping_order_status"),
            models.Index(fields=["status", "ship_date"], name="shipping_status_date"),
            models.Index(fields=["customer", "ship_date"], name="shipping_customer_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_arrival__gte=F("ship_date")), name="shipping_arrival_after_ship_date"
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("ship_date")),
                name="shipping_received_after_ship_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.RECEIVED) | Q(received_on__isnull=False),
                name="shipping_received_has_date",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="shipping_total_nonneg"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.status != ShipmentStatus.CANCELLED


class ShipmentLine(models.Model):
    """Quantity of one order line in this shipment, at the order line's price, with its packing data."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    cartons = models.PositiveIntegerField(_("cartons"), default=0)
    quantity_per_carton = models.DecimalField(
        _("quantity per carton"), max_digits=12, decimal_places=3, default=Decimal("0")
    )
    gross_weight_kg = models.DecimalField(
        _("gross weight (kg)"), max_digits=12, decimal_places=3, default=Decimal("0")
    )
    net_weight_kg = models.DecimalField(
        _("net weight (kg)"), max_digits=12, decimal_places=3, default=Decimal("0")
    )
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=3, default=Decimal("0"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line_no"], name="shipping_line_no_uniq"),
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipping_line_order_line_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipping_line_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="shipping_line_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(net_weight_kg__lte=F("gross_weight_kg")), name="shipping_line_net_le_gross"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.line_no}"


class ShipmentEvent(EventModel):
    class Type(models.TextChoices):
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received by the customer")
        CANCELLED = "cancelled", _("Cancelled")
        PRINTED = "printed", _("Document printed")

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": ShipmentStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")


class SampleType(models.TextChoices):
    PROTO = "proto", _("Prototype / design sample")
    FIT = "fit", _("Fit sample")
    APPROVAL = "approval", _("Approval sample (pre-production)")
    SIZE_SET = "size_set", _("Size set")
    PRODUCTION = "production", _("Production / shipment sample")
    COLOUR = "colour", _("Lab dip / colour sample")
    SALES = "sales", _("Salesman sample")


class SampleFeedback(models.TextChoices):
    PENDING = "pending", _("Awaiting feedback")
    APPROVED = "approved", pgettext_lazy("sample feedback", "Approved")
    APPROVED_WITH_COMMENTS = "approved_with_comments", _("Approved with comments")
    REJECTED = "rejected", _("Rejected")


class SampleDispatch(VersionedModel):
    """One entry of the sample dispatch register (寄样登记): what was sent, by which courier, the reply."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sample_dispatches"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sample_dispatches",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product / style"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample_type = models.CharField(_("sample type"), max_length=20, choices=SampleType.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    sent_on = models.DateField(_("sent on"))
    courier = models.CharField(_("courier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    feedback = models.CharField(
        _("customer feedback"), max_length=30, choices=SampleFeedback.choices, default=SampleFeedback.PENDING
    )
    feedback_on = models.DateField(_("feedback on"), null=True, blank=True)
    feedback_note = models.TextField(_("feedback note"), blank=True)

    class Meta:
        verbose_name = _("sample dispatch")
        verbose_name_plural = _("sample dispatches")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["customer", "sent_on"], name="shipping_sample_customer_date")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipping_sample_quantity_positive"),
            models.CheckConstraint(
                condition=Q(feedback_on__isnull=True) | Q(feedback_on__gte=F("sent_on")),
                name="shipping_sample_feedback_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"YP-{self.pk} {self.get_sample_type_display()}"
