"""Capacity: work centres with a daily capacity in standard minutes, product routes, and the stored result
of finite-capacity scheduling (per order, per work centre and week, and the run that produced them)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.models import TimeStampedModel, VersionedModel
from gendan.orders.models import Order, OrderStatus

# The orders that take capacity: in review (to answer "can we make it by then?"), approved and released.
# Orders in production are not scheduled: their remaining work is known only from progress records.
SCHEDULED_STATUSES = (OrderStatus.IN_REVIEW, OrderStatus.APPROVED, OrderStatus.RELEASED)
MAX_DAILY_MINUTES = 1_000_000


class WorkCentre(VersionedModel):
    """A line, workshop or machine group. Capacity in standard minutes per working day (calendar days off
    come from the working-day calendar)."""

    code = models.CharField(_("work centre code"), max_length=20, unique=True)
    name = models.CharField(_("work centre name"), max_length=100)
    daily_minutes = models.PositiveIntegerField(
        _("daily capacity (standard minutes)"), validators=[MaxValueValidator(MAX_DAILY_MINUTES)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_minutes__lte=MAX_DAILY_MINUTES), name="capacity_wc_daily_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RouteStep(TimeStampedModel):
    """One step of a product's route: at a work centre, in sequence, so many standard minutes per piece."""

    product = models.ForeignKey(
        Product, verbose_name=_("product / style"), on_delete=models.CASCADE, related_name="route_steps"
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), validators=[MinValueValidator(1)])
    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT, related_name="route_steps"
    )
    minutes_per_piece = models.DecimalField(_("standard minutes per piece"), max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["product", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sequence"], name="capacity_route_product_seq_uniq"),
            models.CheckConstraint(
                condition=Q(minutes_per_piece__gt=0), name="capacity_route_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.sequence}"


class ScheduleSnapshot(models.Model):
    """The last schedule run that was stored (one row): what it covered and how long it took.
    `applied_seq`: the last `ScheduleChange` it took into account (later ones are pending). `generation`
    changes with every full run: a process's in-memory copy of the schedule is used only while it matches."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    key = models.CharField(max_length=10, unique=True, default="current")
    applied_seq = models.BigIntegerField(default=0)
    generation = models.CharField(max_length=32)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    horizon_start = models.DateField(_("horizon start"))
    horizon_end = models.DateField(_("horizon end"))
    fingerprint = models.CharField(max_length=64)
    orders = models.PositiveIntegerField(_("orders scheduled"), default=0)
    changed = models.PositiveIntegerField(_("orders recomputed"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")


class ScheduleResult(models.Model):
    """One scheduled order: its earliest completion under finite capacity, and what it takes where
    (`load`: standard minutes per work centre code)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), primary_key=True, on_delete=models.CASCADE, related_name="schedule"
    )
    due_date = models.DateField(_("due date"))
    order_date = models.DateField(_("order date"))
    material_ready_date = models.DateField(_("materials ready"), null=True, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    completion_date = models.DateField(_("earliest completion"), null=True, blank=True)
    beyond_horizon = models.BooleanField(_("beyond the horizon"), default=False)
    has_route = models.BooleanField(_("has a route"), default=True)
    is_late = models.BooleanField(_("later than due"), default=False)
    load = models.JSONField(_("minutes per work centre"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("schedule result")
        verbose_name_plural = _("schedule results")
        ordering = ["due_date", "order_date", "order_id"]
        indexes = [
            models.Index(fields=["due_date", "order_date", "order"], name="capacity_result_priority"),
            models.Index(fields=["is_late", "due_date"], name="capacity_result_late"),
        ]


class WorkCentreWeekLoad(models.Model):
    """Per work centre and week (Monday): capacity, minutes scheduled (finite), minutes of orders due that
    week, and whether the week is overloaded: the orders due up to this week need more than the capacity from
    the horizon start to this week's end (cumulative load over cumulative capacity)."""

    work_centre = models.ForeignKey(
        WorkCentre, verbose_name=_("work centre"), on_delete=models.CASCADE, related_name="week_loads"
    )
    week_start = models.DateField(_("week"))
    capacity_minutes = models.FloatField(_("capacity (minutes)"))
    load_minutes = models.FloatField(_("scheduled (minutes)"))
    demand_minutes = models.FloatField(_("due this week (minutes)"))
    overloaded = models.BooleanField(_("overloaded"), default=False)

    class Meta:
        verbose_name = _("weekly load")
        verbose_name_plural = _("weekly loads")
        ordering = ["work_centre", "week_start"]
        constraints = [
            models.UniqueConstraint(fields=["work_centre", "week_start"], name="capacity_weekload_uniq"),
        ]

    @property
    def utilisation(self) -> float:
        return self.load_minutes / self.capacity_minutes if self.capacity_minutes else 0.0


class ScheduleChange(models.Model):
    """An order whose schedule inputs may have changed since the last run (written in the changing
    transaction, consumed by the next incremental run: durable even when no task consumer runs)."""

    order_id = models.BigIntegerField(_("order"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending schedule change")
        verbose_name_plural = _("pending schedule changes")
