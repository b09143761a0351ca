"""The shipped-goods ledger (发出商品台账) and receivables (应收: invoices, payments).

Ledger entries are posted by the shipping services, one per shipment line, and reversed (a negative row)
when a shipment is cancelled; nobody types or edits them. Their state (shipped not received → … → paid)
is derived on reading from the shipment, the invoice lines and the payments.
"""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.models import AppendOnlyError, EventModel, TimeStampedModel, VersionedModel
from gendan.orders.models import Order, OrderLine
from gendan.parties.models import Customer, PaymentTermsType, payment_terms_text
from gendan.shipping.models import Shipment, ShipmentLine


class EntryKind(models.TextChoices):
    POSTING = "posting", _("Posting")
    REVERSAL = "reversal", _("Reversal")


class LedgerState(models.TextChoices):
    """Derived, never stored."""

    SHIPPED_NOT_RECEIVED = "shipped_not_received", _("Shipped, not received")
    RECEIVED_NOT_INVOICED = "received_not_invoiced", _("Received, not invoiced")
    INVOICED_NOT_PAID = "invoiced_not_paid", _("Invoiced, not paid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed (shipment cancelled)")


class LedgerEntry(models.Model):
    """One row of 发出商品台账. Append-only: a cancelled shipment adds a reversal row, nothing changes."""

    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.POSTING)
    posted_on = models.DateField(_("date"))
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("shipment line"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product / style"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["posted_on", "id"]
        indexes = [
            models.Index(fields=["customer", "posted_on"], name="ledger_entry_customer_date"),
            models.Index(fields=["posted_on"], name="ledger_entry_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment_line"], condition=Q(kind="posting"), name="ledger_one_posting_per_line"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="posting") & Q(quantity__gt=0) & Q(amount__gte=0) & Q(reversal_of__isnull=True)
                )
                | (Q(kind="reversal") & Q(quantity__lt=0) & Q(amount__lte=0) & Q(reversal_of__isnull=False)),
                name="ledger_entry_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shipment_id}/{self.shipment_line_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries are append-only")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentState(models.TextChoices):
    """Derived from the amounts."""

    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class Invoice(VersionedModel):
    """An invoice (发票/对账单) over shipped quantities of one customer, from one shipment or several."""

    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    currency = models.CharField(_("currency"), max_length=3)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    payment_terms = models.CharField(_("payment terms"), max_length=20, choices=PaymentTermsType.choices)
    payment_days = models.PositiveSmallIntegerField(_("payment days"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    total_amount = models.DecimalField(_("total amount"), max_digits=16, decimal_places=2)
    # The sum of the payment allocations, kept by the payment service under the invoice's row lock; the
    # constraint below makes an over-payment impossible even for a writer that skipped the check.
    paid_amount = models.DecimalField(_("paid amount"), max_digits=16, decimal_places=2, default=Decimal("0"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-invoice_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "status", "due_date"], name="ledger_invoice_cust_due"),
            models.Index(fields=["status", "due_date"], name="ledger_invoice_status_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="ledger_invoice_total_positive"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("total_amount")),
                name="ledger_invoice_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("invoice_date")), name="ledger_invoice_due_after_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(paid_amount=0), name="ledger_invoice_cancelled_unpaid"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def payment_terms_text(self) -> str:
        return payment_terms_text(terms=self.payment_terms, days=self.payment_days)

    @property
    def open_amount(self) -> Decimal:
        if self.status == InvoiceStatus.CANCELLED:
            return Decimal("0.00")
        return self.total_amount - self.paid_amount

    @property
    def payment_state(self) -> str:
        if self.paid_amount <= 0:
            return PaymentState.UNPAID
        if self.paid_amount < self.total_amount:
            return PaymentState.PARTLY_PAID
        return PaymentState.PAID

    def get_payment_state_display(self) -> str:
        return str(PaymentState(self.payment_state).label)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("shipment line"), on_delete=models.PROTECT, related_name="invoice_lines"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoice_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="ledger_invoice_line_no_uniq"),
            models.UniqueConstraint(fields=["invoice", "shipment_line"], name="ledger_invoice_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ledger_invoice_line_qty_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_invoice_line_amount_nonneg"),
        ]


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    ACCEPTANCE = "acceptance", _("Bank acceptance bill")
    LC = "lc", _("Letter of credit")
    OTHER = "other", _("Other")


class Payment(TimeStampedModel):
    """Money received from a customer, allocated over one or several of its invoices (fully)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(
        _("method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.currency}"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="ledger_allocation_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_allocation_positive"),
        ]


class InvoiceEvent(EventModel):
    class Type(models.TextChoices):
        ISSUED = "issued", _("Issued")
        PAYMENT = "payment", _("Payment allocated")
        CANCELLED = "cancelled", _("Cancelled")
        REMINDER = "reminder", _("Overdue reminder")
        PRINTED = "printed", _("Printed")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": InvoiceStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")
