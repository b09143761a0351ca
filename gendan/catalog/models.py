from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.core.models import VersionedModel


class Industry(models.TextChoices):
    APPAREL = "apparel", _("Apparel")
    PRINTING = "printing", _("Printing and paper")
    GENERIC = "generic", _("Generic")


class Product(VersionedModel):
    code = models.CharField(_("product / style code"), max_length=30, unique=True)
    name = models.CharField(_("product name"), max_length=200)
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.GENERIC
    )
    family = models.CharField(
        _("product family"),
        max_length=50,
        blank=True,
        help_text=_("Used to group released orders for the planner"),
    )
    work_centre = models.CharField(_("work centre"), max_length=50, blank=True)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="pcs")
    production_cycle_days = models.PositiveSmallIntegerField(
        _("production cycle (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    material_lead_days = models.PositiveSmallIntegerField(
        _("longest material lead time (working days)"), default=0, validators=[MaxValueValidator(365)]
    )
    standard_price = models.DecimalField(
        _("standard price"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
