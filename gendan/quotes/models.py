"""Inquiries (询盘) and quotations (报价) with their cost build-up; an accepted quotation becomes an order."""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.models import EventModel, VersionedModel
from gendan.orders.models import Order
from gendan.parties.models import Currency, Customer


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a quotation")
    QUOTED = "quoted", _("Quoted")
    WON = "won", _("Won (order placed)")
    LOST = "lost", _("Lost")


class Inquiry(VersionedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="inquiries"
    )
    subject = models.CharField(_("subject"), max_length=200)
    received_at = models.DateTimeField(_("received at"))
    replied_at = models.DateTimeField(_("first quotation sent at"), null=True, blank=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="quotes_inquiry_status_time")]

    def __str__(self) -> str:
        return f"XP-{self.pk} {self.subject}"


class InquiryItem(models.Model):
    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="items"
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product,
        verbose_name=_("product / style"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    target_price = models.DecimalField(
        _("target price"), max_digits=14, decimal_places=4, null=True, blank=True
    )

    class Meta:
        ordering = ["inquiry", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "line_no"], name="quotes_inquiry_item_no_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quotes_inquiry_item_qty_positive"),
        ]


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the customer")
    ACCEPTED = "accepted", _("Accepted (order created)")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a revision")


class Quotation(VersionedModel):
    """One revision of a quotation; a revision keeps the number and adds one to `revision`."""

    number = models.CharField(_("quotation number"), max_length=20)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
    )
    inquiry = models.ForeignKey(
        Inquiry,
        verbose_name=_("inquiry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotations",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotations"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="quotations",
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    quote_date = models.DateField(_("quotation date"))
    valid_until = models.DateField(_("valid until"))
    overhead_percent = models.DecimalField(
        _("overhead %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    margin_percent = models.DecimalField(_("margin %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        _("status"), max_length=20, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT
    )
    total_amount = models.DecimalField(
        _("total amount"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    notes = models.TextField(_("terms and notes"), blank=True)
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotation",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason rejected"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["-quote_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="quotes_number_revision_uniq"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("quote_date")), name="quotes_valid_after_date"
            ),
            models.CheckConstraint(
                condition=Q(overhead_percent__gte=0) & Q(overhead_percent__lte=500),
                name="quotes_overhead_range",
            ),
            models.CheckConstraint(
                condition=Q(margin_percent__gte=-100) & Q(margin_percent__lte=1000),
                name="quotes_margin_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.number}-R{self.revision}" if self.revision > 1 else self.number


class QuotationLine(models.Model):
    """Cost build-up per unit: materials + processing + outsourcing = direct cost; + overhead % = full
    cost; × (1 + margin %) = unit price. All computed by the service; amounts quantized explicitly."""

    quotation = models.ForeignKey(
        Quotation, verbose_name=_("quotation"), on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product / style"), on_delete=models.PROTECT, related_name="+"
    )
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    color = models.CharField(_("colour"), max_length=50, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    material_cost = models.DecimalField(_("materials per unit"), max_digits=14, decimal_places=4)
    processing_cost = models.DecimalField(_("processing per unit"), max_digits=14, decimal_places=4)
    outsourcing_cost = models.DecimalField(_("outsourcing per unit"), max_digits=14, decimal_places=4)
    overhead_cost = models.DecimalField(_("overhead per unit"), max_digits=14, decimal_places=4)
    unit_cost = models.DecimalField(_("full cost per unit"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    materials_from_bom = models.BooleanField(_("materials from the BOM"), default=False)

    class Meta:
        ordering = ["quotation", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["quotation", "line_no"], name="quotes_line_no_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quotes_line_qty_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="quotes_line_price_nonneg"),
        ]


class QuotationMaterial(models.Model):
    line = models.ForeignKey(
        QuotationLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("material code"), max_length=30, blank=True)
    name = models.CharField(_("material"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    usage = models.DecimalField(_("usage per unit"), max_digits=14, decimal_places=6)
    loss_percent = models.DecimalField(_("loss %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    unit_price = models.DecimalField(_("material price"), max_digits=14, decimal_places=4)
    cost = models.DecimalField(_("cost per unit of product"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["line", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(usage__gt=0), name="quotes_material_usage_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="quotes_material_price_nonneg"),
        ]


class QuotationEvent(EventModel):
    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("Status changed")
        REVISED = "revised", _("Revised")
        PRINTED = "printed", _("Printed")

    quotation = models.ForeignKey(
        Quotation, verbose_name=_("quotation"), on_delete=models.PROTECT, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": QuotationStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("quotation event")
        verbose_name_plural = _("quotation events")
