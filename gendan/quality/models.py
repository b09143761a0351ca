"""Quality inspections (品质控制, SPEC §2.9): first article, inline and final, sampled by ISO 2859-1.

An inspection is recorded in one go by QC: the lot, the inspection level and one AQL per defect class give
each class its sampling plan (gendan.quality.aql); the defects found decide pass or fail per class, and the
inspection fails if any class fails. The status is derived at recording (passed / failed); afterwards only
the transitions of workflows.py change it: a supervisor's concession (让步接收) on a failed final
inspection, or a cancellation of a record made in error.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.models import VersionedModel
from gendan.orders.models import Order, OrderLine


class InspectionStage(models.TextChoices):
    FIRST_ARTICLE = "first_article", _("First article")
    INLINE = "inline", _("Inline")
    FINAL = "final", _("Final")


class InspectionLevel(models.TextChoices):
    S1 = "S-1", "S-1"
    S2 = "S-2", "S-2"
    S3 = "S-3", "S-3"
    S4 = "S-4", "S-4"
    I = "I", "I"  # noqa: E741  (the standard's name for the level)
    II = "II", "II"
    III = "III", "III"


class InspectionStatus(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    CONCEDED = "conceded", _("Failed, accepted by concession")
    CANCELLED = "cancelled", _("Cancelled")


class DefectClass(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class Inspection(VersionedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="inspections"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=InspectionStage.choices)
    lot_size = models.PositiveIntegerField(_("lot size"))
    level = models.CharField(
        _("inspection level"), max_length=3, choices=InspectionLevel.choices, default=InspectionLevel.II
    )
    code_letter = models.CharField(_("code letter"), max_length=1)
    sample_size = models.PositiveIntegerField(
        _("units inspected"), help_text=_("The largest sample of the defect classes.")
    )
    status = models.CharField(_("result"), max_length=20, choices=InspectionStatus.choices)
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    exception_number = models.CharField(_("quality exception"), max_length=20, blank=True)
    concession_reason = models.TextField(_("concession reason"), blank=True)
    conceded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concession by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    conceded_at = models.DateTimeField(_("concession at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["order", "stage", "inspected_on"], name="quality_insp_order_stage"),
            models.Index(fields=["status", "inspected_on"], name="quality_insp_status_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lot_size__gte=1), name="quality_insp_lot_positive"),
            models.CheckConstraint(
                condition=Q(sample_size__gte=1) & Q(sample_size__lte=models.F("lot_size")),
                name="quality_insp_sample_within_lot",
            ),
            models.CheckConstraint(
                condition=~Q(status="conceded") | (Q(conceded_at__isnull=False) & ~Q(concession_reason="")),
                name="quality_insp_concession_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_failed(self) -> bool:
        return self.status in (InspectionStatus.FAILED, InspectionStatus.CONCEDED)


class InspectionClassResult(models.Model):
    """One defect class of an inspection: its AQL, the plan found in ISO 2859-1 and the defects found."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="classes"
    )
    defect_class = models.CharField(_("defect class"), max_length=10, choices=DefectClass.choices)
    aql = models.DecimalField(
        _("AQL"), max_digits=7, decimal_places=3, help_text=_("0 means zero tolerance (Ac 0).")
    )
    plan_code_letter = models.CharField(_("plan code letter"), max_length=1)
    sample_size = models.PositiveIntegerField(_("sample size"))
    full_inspection = models.BooleanField(_("Full inspection"), default=False)
    accept_number = models.PositiveIntegerField(_("Ac"))
    reject_number = models.PositiveIntegerField(_("Re"))
    defects_found = models.PositiveIntegerField(_("defects found"))
    passed = models.BooleanField(_("passed"))

    class Meta:
        verbose_name = _("defect class result")
        verbose_name_plural = _("defect class results")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "defect_class"], name="quality_class_uniq"),
            models.CheckConstraint(
                condition=Q(reject_number=models.F("accept_number") + 1),
                name="quality_class_re_is_ac_plus_one",
            ),
            models.CheckConstraint(condition=Q(aql__gte=Decimal(0)), name="quality_class_aql_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.defect_class}"
