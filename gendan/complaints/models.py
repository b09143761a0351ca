"""Customer complaints (客户投诉, 客诉单): registered → investigating → root cause → corrective action →
customer confirmed → closed, each state with a deadline."""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.accounts.models import Department
from gendan.core.models import EventModel, VersionedModel
from gendan.orders.models import Order
from gendan.parties.models import Customer
from gendan.shipping.models import Shipment


class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INVESTIGATING = "investigating", _("Investigating")
    ROOT_CAUSE = "root_cause", _("Root cause found")
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action taken")
    CUSTOMER_CONFIRMED = "customer_confirmed", _("Confirmed by the customer")
    CLOSED = "closed", _("Closed")


class ComplaintType(models.TextChoices):
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery (late)")
    QUANTITY = "quantity", _("Quantity")
    PACKING = "packing", _("Packing")
    SERVICE = "service", _("Service / attitude")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Complaint(VersionedModel):
    number = models.CharField(_("complaint number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="complaints"
    )
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    type = models.CharField(_("type"), max_length=20, choices=ComplaintType.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    received_on = models.DateField(_("received on"))
    description = models.TextField(_("description"))
    quantity_affected = models.DecimalField(
        _("quantity affected"), max_digits=14, decimal_places=3, default=Decimal("0")
    )
    claim_amount = models.DecimalField(
        _("claim amount"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.REGISTERED
    )
    deadline = models.DateField(_("deadline of the current step"), null=True, blank=True)
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    customer_confirmation = models.TextField(_("customer's confirmation"), blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # For gendan.performance: this complaint is evidence of a violation (e.g. 3: no follow-up → complaint,
    # 7: complaint about attitude). `violation_ref` is the performance register's reference, if any.
    is_violation_evidence = models.BooleanField(_("evidence of a violation"), default=False)
    violation_note = models.CharField(_("violation note"), max_length=300, blank=True)
    violation_ref = models.CharField(_("violation reference"), max_length=50, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="complaints_status_deadline"),
            models.Index(fields=["customer", "received_on"], name="complaints_customer_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(claim_amount__gte=0), name="complaints_claim_nonneg"),
            models.CheckConstraint(condition=Q(quantity_affected__gte=0), name="complaints_qty_nonneg"),
            models.CheckConstraint(
                condition=Q(status="registered") | Q(responsible_department__isnull=False),
                name="complaints_department_after_registration",
            ),
        ]

    def __str__(self) -> str:
        return self.number


def complaint_photo_path(instance: "ComplaintPhoto", filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to=complaint_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
        ordering = ["complaint", "id"]


class ComplaintEvent(EventModel):
    class Type(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        TRANSITION = "transition", _("Status changed")
        PHOTO = "photo", _("Photo added")
        VIOLATION = "violation", _("Marked as violation evidence")
        PRINTED = "printed", _("Printed")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": ComplaintStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
