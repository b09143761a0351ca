from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.models import Industry, Product
from gendan.core.models import AppendOnlyError, EventModel, VersionedModel
from gendan.parties.models import Currency, Customer


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", pgettext_lazy("order status", "Approved")
    REJECTED = "rejected", pgettext_lazy("order status", "Rejected")
    RELEASED = "released", _("Released")
    IN_PRODUCTION = "in_production", _("In production")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", pgettext_lazy("order status", "Closed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


# Orders that still need someone's attention; used with the composite indexes below.
OPEN_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.IN_REVIEW,
    OrderStatus.APPROVED,
    OrderStatus.REJECTED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.ON_HOLD,
)
# Orders that commit the customer's credit.
COMMITTED_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.ON_HOLD,
)
# An order's due date: the promised date once there is one, else the requested date. Filter with this very
# expression so SQLite can use the orders_merch_due index on it.
DUE_DATE = Coalesce("promised_date", "requested_date")
# Header and lines may be edited only before review starts.
EDITABLE_STATUSES = (OrderStatus.DRAFT, OrderStatus.AWAITING_APPROVAL, OrderStatus.REJECTED)


class BusinessType(models.TextChoices):
    BULK = "bulk", _("Bulk order")
    SAMPLE = "sample", _("Sample order")
    PURCHASED = "purchased", _("Purchased-goods order")


class SourceDocument(models.TextChoices):
    WRITTEN = "written", _("Written order")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    SCAN = "scan", _("Scan")
    VERBAL = "verbal", _("Verbal (no written order)")


# A copy was accepted; the original must still be collected.
COPY_SOURCES = (SourceDocument.FAX, SourceDocument.EMAIL, SourceDocument.SCAN)


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    DAP = "DAP", "DAP"
    DDP = "DDP", "DDP"


_STATUS_LABELS = dict(OrderStatus.choices)


class Order(VersionedModel):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    business_type = models.CharField(
        _("business type"), max_length=20, choices=BusinessType.choices, default=BusinessType.BULK
    )
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.GENERIC
    )
    source_document = models.CharField(
        _("source document"), max_length=20, choices=SourceDocument.choices, default=SourceDocument.WRITTEN
    )
    original_received_at = models.DateTimeField(_("original received at"), null=True, blank=True)
    verbal_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verbal order approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verbal_approved_at = models.DateTimeField(_("verbal order approved at"), null=True, blank=True)
    # The single-column indexes of customer, merchandiser and salesperson stay although composites of Meta
    # lead with them: they hold the rows in id order per key (SQLite appends the rowid), which the scoped
    # lists ("newest first") walk without sorting; without them the 1M-order list took 130 ms, not 20.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    customer_po = models.CharField(_("customer PO number"), max_length=50)
    is_repeat = models.BooleanField(_("deliberate repeat"), default=False)
    repeat_reason = models.CharField(_("repeat reason"), max_length=200, blank=True)
    order_date = models.DateField(_("order date"))
    requested_date = models.DateField(_("requested delivery date"))
    feasible_date = models.DateField(_("feasible date"), null=True, blank=True)
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    promise_reason = models.CharField(_("reason for an early promise"), max_length=300, blank=True)
    is_date_risk = models.BooleanField(_("promised earlier than feasible"), default=False)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    payment_terms = models.CharField(_("payment terms"), max_length=100, blank=True)
    incoterm = models.CharField(_("incoterm"), max_length=3, choices=Incoterm.choices, blank=True)
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        on_delete=models.PROTECT,
        related_name="orders_followed",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_sold",
    )
    requirements = models.TextField(_("customer's detailed requirements"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    status_before_hold = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    total_quantity = models.DecimalField(
        _("total quantity"), max_digits=16, decimal_places=3, default=Decimal("0")
    )
    total_amount = models.DecimalField(
        _("total amount"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    planner_ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planner_ack_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    # R0 is the order as reviewed; each approved change request (gendan.changes) adds one (OrderRevision).
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "requested_date"], name="orders_status_due"),
            models.Index(fields=["merchandiser", "status", "requested_date"], name="orders_merch_status_due"),
            # the duplicate PO check: a customer's orders with this PO in any case, looked up, not scanned
            models.Index(F("customer"), Lower("customer_po"), name="orders_customer_po_lower"),
            models.Index(fields=["salesperson", "status"], name="orders_sales_status"),
            models.Index(F("merchandiser"), DUE_DATE, name="orders_merch_due"),
            # in production, earliest promise first (follow-up's "today" list), one ordered run per status
            models.Index(fields=["status", "promised_date"], name="orders_status_promised"),
            # the same for one merchandiser: their "today" list reads its first rows without sorting
            models.Index(
                fields=["merchandiser", "status", "promised_date"], name="orders_merch_status_promised"
            ),
            # the list's default order (newest first) within a status: a supervisor's or a merchandiser's
            # "?status=…" page reads 50 index entries instead of sorting every order of that status
            models.Index(fields=["status", "id"], name="orders_status_id"),
            models.Index(fields=["merchandiser", "status", "id"], name="orders_merch_status_id"),
            # originals pending (copy sources, not received), oldest first: few rows, whatever the scope
            models.Index(
                fields=["source_document", "original_received_at", "order_date"],
                name="orders_original_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_date__gte=models.F("order_date")),
                name="orders_order_requested_after_order_date",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="orders_order_total_nonneg"),
        ]

    def get_status_display(self) -> str:
        # Django's generated version builds a dict of every choice on each call; a list page asks 50 times.
        return _STATUS_LABELS.get(self.status, self.status)

    def __str__(self) -> str:
        return self.number

    @property
    def original_pending(self) -> bool:
        return self.source_document in COPY_SOURCES and self.original_received_at is None

    @property
    def due_date(self):
        return self.promised_date or self.requested_date


class OrderLine(models.Model):
    # indexed by orders_line_no_uniq (order, line_no)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product / style"), on_delete=models.PROTECT, related_name="order_lines"
    )
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    color = models.CharField(_("colour"), max_length=50, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    tolerance_percent = models.DecimalField(
        _("over/short tolerance %"), max_digits=5, decimal_places=2, default=Decimal("3")
    )
    # The unshipped rest the customer gave up (cancel the rest of a line, close short): quantity and amount
    # stay as ordered; shipping counts against quantity − cancelled_quantity (gendan.shipping.selectors).
    cancelled_quantity = models.DecimalField(
        _("cancelled quantity"), max_digits=14, decimal_places=3, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orders_line_no_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_line_price_nonneg"),
            models.CheckConstraint(
                condition=Q(tolerance_percent__gte=0) & Q(tolerance_percent__lte=100),
                name="orders_line_tolerance_range",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_quantity__gte=0) & Q(cancelled_quantity__lte=F("quantity")),
                name="orders_line_cancelled_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"

    @property
    def effective_quantity(self) -> Decimal:
        """What is still to be delivered in all: ordered less the cancelled rest."""
        return self.quantity - self.cancelled_quantity


class OrderLineSize(models.Model):
    """One cell of the apparel colour × size breakdown (the line carries the colour)."""

    # indexed by orders_linesize_uniq (line, size)
    line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.CASCADE,
        related_name="sizes",
        db_index=False,
    )
    size = models.CharField(_("size"), max_length=20)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line", "position"]
        constraints = [
            models.UniqueConstraint(fields=["line", "size"], name="orders_linesize_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_linesize_quantity_positive"),
        ]


class OrderRevision(models.Model):
    """The order as it stood at one revision (R0 = as reviewed, written when the first change is applied),
    and what changed against the revision before (a list of entries, see gendan.orders.revisions)."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="revisions", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    snapshot = models.JSONField(_("snapshot"), default=dict)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order revision")
        verbose_name_plural = _("order revisions")
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="orders_revision_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} R{self.number}"


class OrderEvent(EventModel):
    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        TRANSITION = "transition", _("Status changed")
        DUPLICATE_CONFIRMED = "duplicate_confirmed", _("Deliberate repeat confirmed")
        ORIGINAL_RECEIVED = "original_received", _("Original received")
        ATTACHMENT_ADDED = "attachment_added", _("File attached")
        ATTACHMENT_WITHDRAWN = "attachment_withdrawn", _("File withdrawn")
        REVIEW_SIGNED = "review_signed", _("Review item signed")
        DATE_RISK = "date_risk", _("Promised earlier than feasible")
        PLANNER_ACK = "planner_ack", _("Acknowledged by planner")
        IMPORTED = "imported", _("Imported")
        EXPORTED = "exported", _("Exported")
        PRINTED = "printed", _("Printed")
        HANDOVER = "handover", _("Handover")
        REASSIGNED = "reassigned", _("Reassigned to another merchandiser")
        LINE_CANCELLED = "line_cancelled", _("Rest of a line cancelled")
        # follow-up (gendan.followup)
        TA_PLAN_GENERATED = "ta_plan_generated", _("T&A plan generated")
        TA_MILESTONE_MOVED = "ta_milestone_moved", _("Milestone date moved")
        TA_MILESTONE_DONE = "ta_milestone_done", _("Milestone done")
        TA_MILESTONE_OVERDUE = "ta_milestone_overdue", _("Milestone overdue")
        PROGRESS_RECORDED = "progress_recorded", _("Progress recorded")
        SHIPMENT_CONFIRMED = "shipment_confirmed", _("Today's shipment confirmed")
        EXCEPTION_RAISED = "exception_raised", _("Exception raised")
        EXCEPTION_ESCALATED = "exception_escalated", _("Exception escalated")
        EXCEPTION_NOTICE = "exception_notice", _("Exception notice sent")
        EXCEPTION_RESOLVED = "exception_resolved", _("Exception resolved")
        EXCEPTION_REOPENED = "exception_reopened", _("Exception reopened")
        EXCEPTION_CLOSED = "exception_closed", _("Exception closed")
        RISK_CHANGED = "risk_changed", _("Risk changed")
        PROMISE_CHANGED = "promise_changed", _("Promised delivery date changed")
        ORIGINAL_REMINDER = "original_reminder", _("Original still pending: reminder sent")
        # quotation to cash (gendan.quotes, shipping, ledger, complaints, visits)
        FROM_QUOTATION = "from_quotation", _("Created from a quotation")
        SHIPMENT_SHIPPED = "shipment_shipped", _("Shipment sent")
        SHIPMENT_NOTICE = "shipment_notice", _("Arrival date and shipment announced")
        SHIPMENT_RECEIVED = "shipment_received", _("Shipment received by the customer")
        SHIPMENT_CANCELLED = "shipment_cancelled", _("Shipment cancelled")
        INVOICED = "invoiced", _("Invoiced")
        INVOICE_CANCELLED = "invoice_cancelled", _("Invoice cancelled")
        PAYMENT_RECEIVED = "payment_received", _("Payment received")
        PAYMENT_OVERDUE = "payment_overdue", _("Payment overdue: reminder")
        COMPLAINT_REGISTERED = "complaint_registered", _("Complaint registered")
        COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
        RETURN_VISIT_DONE = "return_visit_done", _("Return visit done")
        # materials and capacity (gendan.materials, gendan.capacity)
        MATERIALS_RESERVED = "materials_reserved", _("Materials reserved, shortages requested")
        MATERIAL_RECEIVED = "material_received", _("Material arrived")
        MATERIAL_EXCEPTION = "material_exception", _("Material late or short")
        # outsourcing and quality (gendan.outsourcing, gendan.quality)
        OUTSOURCING_PLANNED = "outsourcing_planned", _("Outsourcing planned")
        OUTSOURCING_ISSUED = "outsourcing_issued", _("Outsourcing order issued")
        OUTSOURCING_DISPATCHED = "outsourcing_dispatched", _("Sent to the subcontractor")
        OUTSOURCING_RETURNED = "outsourcing_returned", _("Returned by the subcontractor")
        OUTSOURCING_OVERDUE = "outsourcing_overdue", _("Outsourcing return overdue")
        OUTSOURCING_CLOSED = "outsourcing_closed", _("Outsourcing order closed")
        OUTSOURCING_CANCELLED = "outsourcing_cancelled", _("Outsourcing order cancelled")
        QUALITY_INSPECTED = "quality_inspected", _("Inspection recorded")
        QUALITY_EXCEPTION = "quality_exception", _("Quality exception")
        QUALITY_CONCESSION = "quality_concession", _("Concession recorded")
        QUALITY_INSPECTION_CANCELLED = "quality_inspection_cancelled", _("Inspection cancelled")
        # change requests after review (gendan.changes)
        CHANGE_RAISED = "change_raised", _("Change request raised")
        CHANGE_SIGNED = "change_signed", _("Change request signed")
        CHANGE_APPROVED = "change_approved", _("Change request approved")
        CHANGE_REJECTED = "change_rejected", _("Change request rejected")
        CHANGE_CANCELLED = "change_cancelled", _("Change request withdrawn")
        REVISED = "revised", _("Order revised")
        COMMENT_ADDED = "comment_added", _("Comment added")  # gendan.discussion; the text is in the thread

    # indexed by orders_event_order_time (order, created_at)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="events", db_index=False
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": OrderStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [
            models.Index(fields=["order", "created_at"], name="orders_event_order_time"),
            models.Index(fields=["type", "created_at"], name="orders_event_type_time"),
        ]


class PromiseCause(models.TextChoices):
    """Whose cause an agreed delivery date is: the review's promise, or a change for the customer or us."""

    INITIAL = "initial", _("Promised at review")
    CUSTOMER = "customer", _("Customer's cause")
    INTERNAL = "internal", _("Our cause")


class OrderPromise(models.Model):
    """One row per agreed delivery date (the review's promise, then every agreed change): append-only.

    `Order.promised_date` is the current one; the merchandiser's KPI baseline is the latest row whose cause is
    the review or the customer (see gendan.orders.promises.order_promise_kpi_date)."""

    # the database trigger of gendan.core.append_only covers this table too (it looks for this flag)
    append_only = True

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="promises", db_index=False
    )
    promised_date = models.DateField(_("promised delivery date"))
    previous_date = models.DateField(_("previous promised date"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=10, choices=PromiseCause.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agreed by"), on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("agreed delivery date")
        verbose_name_plural = _("agreed delivery dates")
        ordering = ["agreed_at", "id"]
        indexes = [
            models.Index(fields=["order", "agreed_at", "id"], name="orders_promise_order_time"),
            # the KPIs read the orders changed for our own cause (few) without scanning every promise
            models.Index(fields=["cause", "order"], name="orders_promise_cause_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.promised_date} ({self.cause})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("promise rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("promise rows are append-only")
