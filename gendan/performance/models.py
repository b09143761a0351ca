"""Policy (versioned), violations, monthly scores, year bonuses, leave and handover (SPEC §2.14, §2.16)."""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.models import EventModel, TimeStampedModel


class Kpi(models.TextChoices):
    COMPLETION = "completion_rate", _("Order completion rate")
    ON_TIME = "on_time_rate", _("On-time shipment rate")
    SATISFACTION = "satisfaction", _("Customer satisfaction")
    COMPLAINTS = "complaints", _("Complaints")
    COMPLIANCE = "followup_compliance", _("Follow-up compliance")
    RESPONSE = "exception_response", _("Exception response time")


class ViolationCode(models.TextChoices):
    """The seven violations of the seed's 跟单员奖惩条例."""

    ORDER_ERROR = "order_error", _("Order information error or duplicate order")
    FALSE_PROMISE = "false_promise", _("Delivery date promised without the production cycle")
    NO_FOLLOWUP = "no_followup", _("No follow-up, customer complained")
    CONCEALED_DELAY = "concealed_delay", _("Delay concealed or not reported")
    CONCEALED_QUALITY = "concealed_quality", _("Quality or quantity problem concealed")
    NO_HANDOVER = "no_handover", _("Leave without a proper handover")
    ATTITUDE = "attitude", _("Complaint about responsibility or attitude")


def default_weights() -> dict:
    return {
        Kpi.COMPLETION: 30,
        Kpi.ON_TIME: 30,
        Kpi.SATISFACTION: 20,
        Kpi.COMPLAINTS: 10,
        Kpi.COMPLIANCE: 10,
        Kpi.RESPONSE: 0,
    }


def default_deductions() -> dict:
    return {
        ViolationCode.ORDER_ERROR: 2,
        ViolationCode.FALSE_PROMISE: 2,
        ViolationCode.NO_FOLLOWUP: 1,
        ViolationCode.CONCEALED_DELAY: 3,
        ViolationCode.CONCEALED_QUALITY: 3,
        ViolationCode.NO_HANDOVER: 2,
        ViolationCode.ATTITUDE: 2,
    }


def default_tiers() -> list:
    return [[90, 5000], [80, 3000], [70, 1000]]


class PerformancePolicy(TimeStampedModel):
    """All the numbers of appraisal, in force from `effective_from` until the next version."""

    effective_from = models.DateField(_("effective from"), unique=True)
    kpi_weights = models.JSONField(_("KPI weights (sum 100)"), default=default_weights)
    violation_deductions = models.JSONField(_("points deducted per violation"), default=default_deductions)
    bonus_tiers = models.JSONField(_("bonus tiers [[minimum score, amount], …]"), default=default_tiers)
    violations_cancel_bonus = models.PositiveSmallIntegerField(
        _("confirmed violations in a year that cancel the year-end bonus"), default=3
    )
    extra_reward_min = models.DecimalField(
        _("extra reward, minimum"), max_digits=10, decimal_places=2, default=Decimal("1000")
    )
    extra_reward_max = models.DecimalField(
        _("extra reward, maximum"), max_digits=10, decimal_places=2, default=Decimal("3000")
    )
    complaint_penalty = models.DecimalField(
        _("complaint KPI points lost per complaint"), max_digits=5, decimal_places=2, default=Decimal("20")
    )
    response_target_hours = models.PositiveSmallIntegerField(
        _("exception response target (hours)"), default=24
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("performance policy")
        verbose_name_plural = _("performance policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from}"


class Violation(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")
        REVOKED = "revoked", _("Revoked on appeal")

    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        on_delete=models.PROTECT,
        related_name="violations",
    )
    code = models.CharField(_("violation"), max_length=30, choices=ViolationCode.choices)
    occurred_on = models.DateField(_("date"))
    order_id_ref = models.BigIntegerField(_("order"), null=True, blank=True, db_index=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    deduction = models.DecimalField(
        _("deduction (points)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source_key = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text="set for system proposals, so a scan never proposes the same twice",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["merchandiser", "status", "occurred_on"], name="perf_violation_who_when")
        ]

    def __str__(self) -> str:
        return f"{self.merchandiser} {self.get_code_display()} {self.occurred_on}"

    @property
    def evidence_items(self) -> list[list[dict]]:
        return evidence_items(self.evidence)


# The keys of `Violation.evidence` as a person reads them; keys not listed (internal ids) are not shown.
EVIDENCE_LABELS = {
    "order": _("Order"),
    "complaint": _("Complaint"),
    "type": _("Type"),
    "handover": _("Handover"),
    "signal": _("Signal"),
    "detail": _("Detail"),
    "at": _("Time"),
    "note": _("Note"),
    "reason": _("Reason"),
    "duplicates": _("Repeat of"),
    "missed_records": _("Missed progress records"),
    "from": pgettext_lazy("date change", "From"),
    "to": pgettext_lazy("date change", "To"),
    "agreed_at": _("Agreed at"),
}


def evidence_items(evidence: list) -> list[list[dict]]:
    """Each evidence entry as labelled fields ({label, value, url}); a handover links to its page."""
    from django.urls import reverse

    items = []
    for entry in evidence or []:
        if not isinstance(entry, dict):
            continue
        fields = []
        for key, label in EVIDENCE_LABELS.items():
            value = entry.get(key)
            if value in (None, "", []):
                continue
            url = ""
            if key == "handover":
                url, value = reverse("performance:handover", args=[value]), f"#{value}"
            elif key in ("at", "agreed_at"):
                value = str(value).replace("T", " ")[:16]
            elif isinstance(value, list):
                value = "、".join(str(v) for v in value)
            fields.append({"label": str(label), "value": value, "url": url})
        items.append(fields)
    return items


class ViolationEvent(EventModel):
    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="events")

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": Violation.Status}

    class Meta(EventModel.Meta):
        verbose_name = _("violation event")


class MonthlyScore(TimeStampedModel):
    """A month's computed KPIs and score; once signed it is frozen (later data or policy changes don't alter it)."""

    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        on_delete=models.PROTECT,
        related_name="monthly_scores",
    )
    month = models.DateField(_("month"))  # first day of the month
    policy = models.ForeignKey(
        PerformancePolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    kpis = models.JSONField(_("KPIs"), default=dict)
    weighted = models.DecimalField(_("weighted KPI score"), max_digits=6, decimal_places=2)
    deductions = models.DecimalField(_("deductions"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        ordering = ["-month", "merchandiser_id"]
        constraints = [models.UniqueConstraint(fields=["merchandiser", "month"], name="perf_monthly_uniq")]


class YearBonus(TimeStampedModel):
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        on_delete=models.PROTECT,
        related_name="year_bonuses",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    average_score = models.DecimalField(_("average score"), max_digits=6, decimal_places=2)
    confirmed_violations = models.PositiveSmallIntegerField(_("confirmed violations"))
    tier_amount = models.DecimalField(_("bonus by tier"), max_digits=10, decimal_places=2)
    cancelled = models.BooleanField(_("cancelled by violations"), default=False)
    extra_reward_eligible = models.BooleanField(_("eligible for the extra reward"), default=False)
    extra_reward = models.DecimalField(
        _("extra reward"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("year bonus")
        verbose_name_plural = _("year bonuses")
        constraints = [models.UniqueConstraint(fields=["merchandiser", "year"], name="perf_yearbonus_uniq")]


class Handover(TimeStampedModel):
    """Leave of a merchandiser and the handover of their open orders to a colleague (工作交接)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", pgettext_lazy("handover status", "Approved")
        RETURNED = "returned", pgettext_lazy("handover status", "Returned")
        REJECTED = "rejected", pgettext_lazy("handover status", "Rejected")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser on leave"),
        on_delete=models.PROTECT,
        related_name="handovers_given",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )
    starts_on = models.DateField(_("leave starts"))
    ends_on = models.DateField(_("leave ends"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    delegation = models.OneToOneField(
        "accounts.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="handover"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="perf_handover_dates_ordered"
            ),
        ]


class HandoverItem(models.Model):
    """One open order on the checklist, with what is still open on it."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    open_items = models.TextField(_("open items"), blank=True)
    done = models.BooleanField(_("handed over"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handover", "order"], name="perf_handoveritem_uniq")]
