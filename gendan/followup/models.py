"""Follow-up (生产跟进): T&A templates and plans, progress records, exceptions, risk, policy, daily logs.

Milestone statuses and risk levels are derived (from dates, today and records), never typed in.
Events go on the order's timeline (`orders.OrderEvent`) so one page tells the whole story.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.accounts import roles as R
from gendan.catalog.models import Industry
from gendan.core.models import TimeStampedModel, VersionedModel
from gendan.orders.models import BusinessType, Order

ROLE_CHOICES = [(code, label) for code, label in R.ROLE_LABELS.items()]


class FollowupPolicy(models.Model):
    """Policy data for follow-up, effective from a date (the row in force on a day is the latest one
    whose `effective_from` is on or before it), so a past day is judged by the rules of that day."""

    effective_from = models.DateField(_("effective from"), unique=True)
    records_per_day = models.PositiveSmallIntegerField(
        _("progress records per working day"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("The working day is split into this many equal slots (2: morning and afternoon)."),
    )
    day_starts_at = models.TimeField(_("follow-up day starts at"), default=dt.time(6, 0))
    day_ends_at = models.TimeField(_("follow-up day ends at"), default=dt.time(18, 0))
    due_soon_days = models.PositiveSmallIntegerField(
        _("due soon (working days)"), default=2, validators=[MaxValueValidator(30)]
    )
    escalation_l1_hours = models.PositiveSmallIntegerField(
        _("level 1 time limit (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("An open exception still at level 1 after this goes to the supervisor."),
    )
    escalation_l2_hours = models.PositiveSmallIntegerField(
        _("level 2 time limit (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("An open exception still at level 2 after this goes to the general manager."),
    )
    concealment_hours = models.PositiveSmallIntegerField(
        _("exception expected within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("A delay or quality problem with no exception raised within this time is listed."),
    )
    risk_buffer_days = models.PositiveSmallIntegerField(
        _("risk buffer (working days)"), default=2, validators=[MaxValueValidator(60)]
    )
    projection_days = models.PositiveSmallIntegerField(
        _("projection from the last (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    original_reminder_days = models.PositiveSmallIntegerField(
        _("remind of a pending original every (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_ends_at__gt=models.F("day_starts_at")), name="followup_policy_day_ordered"
            ),
            models.CheckConstraint(
                condition=Q(records_per_day__gte=1) & Q(records_per_day__lte=6),
                name="followup_policy_records_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}"

    # Slots: the follow-up day [day_starts_at, day_ends_at) split into `records_per_day` equal parts.
    def _minutes(self, value: dt.time) -> int:
        return value.hour * 60 + value.minute

    def slot_of(self, moment: dt.time) -> int:
        start, end = self._minutes(self.day_starts_at), self._minutes(self.day_ends_at)
        span = (end - start) / self.records_per_day
        index = int((self._minutes(moment) - start) // span) if moment >= self.day_starts_at else 0
        return max(0, min(self.records_per_day - 1, index))

    def slot_bounds(self, slot: int) -> tuple[dt.time, dt.time]:
        start, end = self._minutes(self.day_starts_at), self._minutes(self.day_ends_at)
        span = (end - start) / self.records_per_day
        first = int(start + slot * span)
        last = end if slot == self.records_per_day - 1 else int(start + (slot + 1) * span)
        return dt.time(first // 60, first % 60), dt.time(last // 60, last % 60)

    def slot_label(self, slot: int) -> str:
        if self.records_per_day == 2:
            return str(_("Morning") if slot == 0 else _("Afternoon"))
        if self.records_per_day == 1:
            return str(_("Daily"))
        first, last = self.slot_bounds(slot)
        return f"{first:%H:%M}–{last:%H:%M}"


class TaTemplate(TimeStampedModel):
    """Time-and-action template for a business type and industry (blank business type: any)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    business_type = models.CharField(
        _("business type"), max_length=20, choices=BusinessType.choices, blank=True, help_text=_("Blank: any")
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("T&A template")
        verbose_name_plural = _("T&A templates")
        ordering = ["industry", "business_type", "code"]
        indexes = [models.Index(fields=["industry", "business_type", "active"], name="followup_tpl_match")]

    def __str__(self) -> str:
        return self.name


class TaTemplateMilestone(models.Model):
    template = models.ForeignKey(
        TaTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="milestones"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    owner_role = models.CharField(
        _("owner role"), max_length=20, choices=ROLE_CHOICES, default=R.MERCHANDISER
    )
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (working days)"),
        default=0,
        validators=[MaxValueValidator(365)],
        help_text=_("Working days before the promised date, or before the milestone it is offset from."),
    )
    offset_from = models.ForeignKey(
        "self",
        verbose_name=_("counted back from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependants",
        help_text=_("Blank: counted back from the promised date."),
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)

    class Meta:
        verbose_name = _("T&A template milestone")
        verbose_name_plural = _("T&A template milestones")
        ordering = ["template", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="followup_tplms_code_uniq"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        seen, current = {self.pk}, self.offset_from
        while current is not None:
            if current.template_id != self.template_id:
                raise ValidationError({"offset_from": _("Choose a milestone of the same template.")})
            if current.pk in seen:
                raise ValidationError(
                    {"offset_from": _("Milestones cannot be counted back from each other in a circle.")}
                )
            seen.add(current.pk)
            current = current.offset_from


class TaPlan(TimeStampedModel):
    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="ta_plan"
    )
    template = models.ForeignKey(
        TaTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    promised_date = models.DateField(_("scheduled back from"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("T&A plan")
        verbose_name_plural = _("T&A plans")

    def __str__(self) -> str:
        return f"T&A {self.order_id}"


class MilestoneStatus(models.TextChoices):
    NOT_DUE = "not_due", _("Not due")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")


class TaMilestone(VersionedModel):
    plan = models.ForeignKey(
        TaPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    owner_role = models.CharField(_("owner role"), max_length=20, choices=ROLE_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ta_milestones",
    )
    lead_days = models.PositiveSmallIntegerField(_("lead time (working days)"), default=0)
    offset_from = models.ForeignKey(
        "self",
        verbose_name=_("counted back from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    baseline_date = models.DateField(_("baseline date"))
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    # the planned date the scan last reported as due soon / overdue (a moved date is reported again)
    due_noticed_for = models.DateField(null=True, blank=True, editable=False)
    overdue_noticed_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("T&A milestone")
        verbose_name_plural = _("T&A milestones")
        ordering = ["plan", "planned_date", "sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="followup_ms_code_uniq")]
        indexes = [
            # open milestones by date (overdue / due soon scans); done ones carry an actual date
            models.Index(fields=["actual_date", "planned_date"], name="followup_ms_open_due"),
            models.Index(fields=["owner", "actual_date", "planned_date"], name="followup_ms_owner_due"),
            # the scan's "what changed since the last run" (followup.scan_inputs)
            models.Index(fields=["updated_at"], name="followup_ms_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    def status_on(self, today: dt.date, due_soon_until: dt.date) -> str:
        if self.actual_date:
            return MilestoneStatus.DONE
        if self.planned_date < today:
            return MilestoneStatus.OVERDUE
        if self.planned_date <= due_soon_until:
            return MilestoneStatus.DUE_SOON
        return MilestoneStatus.NOT_DUE


class ProgressStage(models.TextChoices):
    MATERIAL = "material", _("Materials")
    PREPRESS = "prepress", _("Cutting / pre-press")
    PRODUCTION = "production", _("Sewing / printing")
    FINISHING = "finishing", _("Finishing / post-press")
    INSPECTION = "inspection", _("Inspection")
    PACKING = "packing", _("Packing")


STAGE_ORDER = {value: index for index, value in enumerate(ProgressStage.values)}


class ProgressState(models.TextChoices):
    NORMAL = "normal", _("Normal")
    BEHIND = "behind", _("Behind schedule")
    QUALITY = "quality", _("Quality problem")


class ProgressRecord(models.Model):
    """One follow-up on the shop floor (跟进记录). `quantity_done` is the quantity finished so far at the
    stage (cumulative); output per day is its increase. `work_date`/`slot` come from `recorded_at`."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="progress_records"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    work_date = models.DateField(_("working day"))
    slot = models.PositiveSmallIntegerField(_("slot"))
    stage = models.CharField(_("stage"), max_length=20, choices=ProgressStage.choices)
    quantity_done = models.DecimalField(
        _("quantity done so far at this stage"), max_digits=14, decimal_places=3, default=Decimal("0")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProgressState.choices, default=ProgressState.NORMAL
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("progress record")
        verbose_name_plural = _("progress records")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["order", "work_date", "slot"], name="followup_rec_order_slot"),
            # covers the risk projection's aggregate per order and stage (risk._projections)
            models.Index(
                fields=["order", "stage", "work_date", "quantity_done"], name="followup_rec_progress"
            ),
            models.Index(fields=["work_date", "slot"], name="followup_rec_day_slot"),
            models.Index(fields=["state", "recorded_at"], name="followup_rec_state_time"),
            models.Index(fields=["recorded_by", "work_date"], name="followup_rec_user_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_done__gte=0), name="followup_rec_qty_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.work_date} #{self.slot}"


def _photo_path(instance: "ProgressPhoto", filename: str) -> str:
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(instance.image_format, "bin")
    return f"followup/photos/{dt.date.today():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


class ProgressPhoto(models.Model):
    record = models.ForeignKey(
        ProgressRecord, verbose_name=_("progress record"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    image_format = models.CharField(_("format"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["id"]


class ShipmentConfirmation(models.Model):
    """End of the day: the merchandiser confirms what left today for the order (每天下班前确认当天出货)."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipment_confirmations"
    )
    work_date = models.DateField(_("date"))
    quantity_shipped = models.DecimalField(
        _("quantity that left today"), max_digits=14, decimal_places=3, default=Decimal("0")
    )
    note = models.CharField(_("note (carrier, tracking number)"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("shipment confirmation")
        verbose_name_plural = _("shipment confirmations")
        ordering = ["-work_date", "order"]
        constraints = [
            models.UniqueConstraint(fields=["order", "work_date"], name="followup_shipconf_uniq"),
            models.CheckConstraint(condition=Q(quantity_shipped__gte=0), name="followup_shipconf_qty_nonneg"),
        ]
        indexes = [models.Index(fields=["confirmed_by", "work_date"], name="followup_shipconf_user_day")]


class ExceptionType(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    QUALITY = "quality", _("Quality")
    MATERIAL = "material", _("Material")
    OUTSOURCING = "outsourcing", _("Outsourcing")
    CUSTOMER = "customer", _("Customer-caused")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class FollowupException(VersionedModel):
    """An exception (异常) on an order, climbing level 1 (merchandiser) → 2 (supervisor) → 3 (general
    manager) by hand or when unresolved past the level's time limit."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="exceptions"
    )
    type = models.CharField(_("type"), max_length=20, choices=ExceptionType.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    impact_days = models.PositiveSmallIntegerField(
        _("impact on the delivery date (working days)"), default=0, validators=[MaxValueValidator(365)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="exceptions_owned",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    escalated_at = models.DateTimeField(_("reached this level at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "level", "escalated_at"], name="followup_exc_escalation"),
            models.Index(fields=["order", "raised_at"], name="followup_exc_order_time"),
            models.Index(fields=["owner", "status"], name="followup_exc_owner_status"),
            models.Index(fields=["updated_at"], name="followup_exc_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="followup_exc_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RiskLevel(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


RISK_RANK = {RiskLevel.GREEN: 0, RiskLevel.AMBER: 1, RiskLevel.RED: 2}


class OrderRisk(models.Model):
    """The last computed risk of an order (by the scan, and after each record or exception)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, primary_key=True, related_name="risk"
    )
    level = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.GREEN)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    projected_finish = models.DateField(_("projected finish"), null=True, blank=True)
    daily_output = models.DecimalField(
        _("output per working day"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    quantity_done = models.DecimalField(
        _("quantity done"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ProgressStage.choices, blank=True)
    level_since = models.DateTimeField(_("at this level since"))
    delay_since = models.DateTimeField(_("projected late since"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("order risk")
        verbose_name_plural = _("order risks")
        indexes = [models.Index(fields=["level", "projected_finish"], name="followup_risk_level")]


class DailyLog(TimeStampedModel):
    """The merchandiser's own notes for a day; the rest of the daily log is generated from the records."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="daily_logs"
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("my notes"), blank=True)
    plan_notes = models.TextField(_("my plan for tomorrow"), blank=True)

    class Meta:
        verbose_name = _("daily log")
        verbose_name_plural = _("daily logs")
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="followup_dailylog_uniq")]


class WeeklyReport(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="weekly_reports",
    )
    week_start = models.DateField(_("week starting"))
    notes = models.TextField(_("summary and next week"), blank=True)
    submitted_at = models.DateTimeField(_("sent to the supervisor at"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="followup_weekly_uniq")]


class ScanMark(models.Model):
    """What the scan already did (a reminder sent, an overdue milestone reported): the scan checks these
    keys before acting, so running it twice sends nothing twice and writes no duplicate events."""

    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scan mark")
        verbose_name_plural = _("scan marks")


class ScanCursor(models.Model):
    """Where a scan step left off: the inputs it saw (day, policy, calendar, the newest row of each table it
    reads) and its summary. The next run recomputes only what moved since, or nothing if nothing did."""

    step = models.CharField(max_length=40, unique=True)
    inputs = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scan cursor")
        verbose_name_plural = _("scan cursors")


class ScanRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateTimeField(_("as of"))
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scan run")
        verbose_name_plural = _("scan runs")
        ordering = ["-started_at"]
