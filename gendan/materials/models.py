"""Materials (辅料/面料): BOM per product, stock per material, purchase requests (请购), purchase orders,
arrivals, and the alerts the scan raised for late or short arrivals.

Quantities are Decimal with 4 places. The stock invariants are database constraints, so no code path
(service, admin, raw update) can leave negative stock or reserve more than is on hand.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gendan.accounts import roles as R
from gendan.catalog.models import Product
from gendan.core.models import TimeStampedModel, VersionedModel
from gendan.core.workflow import transition_table
from gendan.orders.models import Order
from gendan.parties.models import Supplier

ZERO = Decimal("0")
QTY = {"max_digits": 16, "decimal_places": 4}

# Who buys: purchasing/warehouse reviewers, planners, supervisors and admin (department checked in services).
PURCHASING_ROLES = (R.REVIEWER, R.PLANNER, R.SUPERVISOR, R.ADMIN)


class Material(VersionedModel):
    code = models.CharField(_("material code"), max_length=30, unique=True)
    name = models.CharField(_("material name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10)
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("usual supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("purchase lead time (working days)"), default=0, validators=[MaxValueValidator(365)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_time_days__lte=365), name="materials_material_lead_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BomLine(TimeStampedModel):
    """One material of a product's bill of materials: usage per unit of the product plus a loss rate."""

    product = models.ForeignKey(
        Product, verbose_name=_("product / style"), on_delete=models.CASCADE, related_name="bom_lines"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="bom_lines"
    )
    usage_per_unit = models.DecimalField(
        _("usage per unit"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    loss_rate_percent = models.DecimalField(
        _("loss rate %"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("99.99"))],
    )

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["product", "material__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "material"], name="materials_bom_product_material_uniq"
            ),
            models.CheckConstraint(condition=Q(usage_per_unit__gt=0), name="materials_bom_usage_positive"),
            models.CheckConstraint(
                condition=Q(loss_rate_percent__gte=0) & Q(loss_rate_percent__lt=100),
                name="materials_bom_loss_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.material_id}"


class Stock(models.Model):
    """On hand, reserved for orders, and on order from suppliers. Available = on hand − reserved."""

    material = models.OneToOneField(
        Material, verbose_name=_("material"), primary_key=True, on_delete=models.CASCADE, related_name="stock"
    )
    on_hand = models.DecimalField(_("on hand"), default=ZERO, **QTY)
    reserved = models.DecimalField(_("reserved"), default=ZERO, **QTY)
    on_order = models.DecimalField(_("on order"), default=ZERO, **QTY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="materials_stock_on_hand_nonneg"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="materials_stock_reserved_nonneg"),
            models.CheckConstraint(condition=Q(on_order__gte=0), name="materials_stock_on_order_nonneg"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="materials_stock_reserved_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material_id}: {self.on_hand}/{self.reserved}/{self.on_order}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class MaterialRequirement(models.Model):
    """What one released order needs of one material, and how much of it is reserved from stock."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="material_requirements"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="requirements"
    )
    required = models.DecimalField(_("required"), **QTY)
    reserved = models.DecimalField(_("reserved"), default=ZERO, **QTY)
    required_by = models.DateField(_("required by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material requirement")
        verbose_name_plural = _("material requirements")
        ordering = ["order", "material__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "material"], name="materials_requirement_order_material_uniq"
            ),
            models.CheckConstraint(
                condition=Q(required__gt=0), name="materials_requirement_required_positive"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("required")),
                name="materials_requirement_reserved_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.material_id}"

    @property
    def shortage(self) -> Decimal:
        return self.required - self.reserved


class PurchaseRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ORDERED = "ordered", _("Ordered")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


PURCHASE_REQUEST_TRANSITIONS = transition_table(
    ("order", (PurchaseRequestStatus.OPEN,), PurchaseRequestStatus.ORDERED, PURCHASING_ROLES),
    ("receive", (PurchaseRequestStatus.ORDERED,), PurchaseRequestStatus.RECEIVED, PURCHASING_ROLES),
    ("cancel", (PurchaseRequestStatus.OPEN,), PurchaseRequestStatus.CANCELLED, PURCHASING_ROLES),
)


class PurchaseRequest(TimeStampedModel):
    """请购: one shortage of one material for one order, to be bought by the required-by date."""

    Status = PurchaseRequestStatus

    number = models.CharField(_("request number"), max_length=20, unique=True)
    requirement = models.ForeignKey(
        MaterialRequirement,
        verbose_name=_("requirement"),
        on_delete=models.PROTECT,
        related_name="purchase_requests",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="purchase_requests"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="purchase_requests"
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    required_by = models.DateField(_("required by"))
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseRequestStatus.choices, default=PurchaseRequestStatus.OPEN
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["required_by", "id"]
        indexes = [models.Index(fields=["status", "required_by"], name="materials_pr_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="materials_pr_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderStatus(models.TextChoices):
    OPEN = "open", _("Ordered")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


# The receiving states are derived from the lines' quantities (see services._po_status_derive).
PURCHASE_ORDER_TRANSITIONS = transition_table(
    (
        "receive_partially",
        (PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED),
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
        PURCHASING_ROLES,
    ),
    (
        "receive",
        (PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED),
        PurchaseOrderStatus.RECEIVED,
        PURCHASING_ROLES,
    ),
    ("cancel", (PurchaseOrderStatus.OPEN,), PurchaseOrderStatus.CANCELLED, PURCHASING_ROLES),
)
OPEN_PO_STATUSES = (PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrder(TimeStampedModel):
    """A purchase order to one supplier; each line covers one purchase request."""

    Status = PurchaseOrderStatus

    number = models.CharField(_("purchase order number"), max_length=20, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected arrival"))
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "expected_date"], name="materials_po_status_expected")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_date__gte=F("order_date")), name="materials_po_expected_after_order_date"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    request = models.ForeignKey(
        PurchaseRequest,
        verbose_name=_("purchase request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="po_lines",
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="po_lines"
    )
    quantity = models.DecimalField(_("quantity ordered"), **QTY)
    received = models.DecimalField(_("quantity received"), default=ZERO, **QTY)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["purchase_order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "line_no"], name="materials_poline_no_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="materials_poline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(received__lte=F("quantity")),
                name="materials_poline_received_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}/{self.line_no}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.received


class Receipt(models.Model):
    """One arrival (到货) against a purchase order line. Append-only."""

    line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("purchase order line"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    quantity = models.DecimalField(_("quantity received"), **QTY)
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="materials_receipt_quantity_positive"),
        ]


class StockMovement(models.Model):
    """Every change of a stock figure, with its reason. Append-only: the stock's audit trail."""

    class Kind(models.TextChoices):
        ADJUST = "adjust", _("Stock count adjustment")
        RECEIPT = "receipt", _("Arrival")
        RESERVE = "reserve", _("Reserved for an order")
        RELEASE = "release", _("Reservation released (order cancelled)")
        ORDERED = "ordered", _("Put on order")

    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QTY)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    po_line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("purchase order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["material", "created_at"], name="materials_move_material_time")]


class MaterialAlert(models.Model):
    """A late or short arrival that the scan turned into an exception on an order: one row per (order,
    purchase order line, kind), which is what makes `materials_scan` idempotent."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Nothing arrived by the expected date")
        SHORT = "short", _("Arrived short of the ordered quantity")
        LATE = "late", _("Arrived after the expected date")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="material_alerts"
    )
    line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("purchase order line"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    raised_on = models.DateField(_("raised on"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("material alert")
        verbose_name_plural = _("material alerts")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line", "kind"], name="materials_alert_once_uniq"),
        ]
