from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.models import VersionedModel


class Currency(models.TextChoices):
    CNY = "CNY", _("RMB (CNY)")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    HKD = "HKD", _("Hong Kong dollar")
    GBP = "GBP", _("Pound sterling")
    JPY = "JPY", _("Japanese yen")


class PaymentTermsType(models.TextChoices):
    MONTHLY = "monthly", _("Monthly statement, net N days")
    NET = "net", _("Net N days after invoice")
    PREPAYMENT = "prepayment", _("Payment before shipment")
    DEPOSIT = "deposit", _("Deposit, balance before shipment")
    CASH = "cash", _("Cash on delivery")


def payment_terms_text(*, terms: str, days: int | None = None, deposit_percent: Decimal | None = None) -> str:
    """Payment terms as a person reads them, with the real number of days or the deposit share, in the
    active language ("月结 30 天"). The one place terms are worded: pages, PDFs, exports and the order's
    default terms all come through here (the choice labels alone carry no numbers)."""
    if terms == PaymentTermsType.MONTHLY and days is not None:
        return _("Monthly statement, net %(days)s days") % {"days": days}
    if terms == PaymentTermsType.NET and days is not None:
        return _("Net %(days)s days after invoice") % {"days": days}
    if terms == PaymentTermsType.DEPOSIT and deposit_percent is not None:
        percent = f"{Decimal(deposit_percent).normalize():f}"
        return _("Deposit %(percent)s%%, balance before shipment") % {"percent": percent}
    if terms in PaymentTermsType.values:
        return str(PaymentTermsType(terms).label)
    return terms


class Customer(VersionedModel):
    code = models.CharField(_("customer code"), max_length=20, unique=True)
    name = models.CharField(_("customer name"), max_length=200)
    is_foreign = models.BooleanField(_("foreign trade"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=20, choices=PaymentTermsType.choices, default=PaymentTermsType.MONTHLY
    )
    payment_days = models.PositiveSmallIntegerField(
        _("payment days"), default=30, validators=[MaxValueValidator(365)]
    )
    deposit_percent = models.DecimalField(
        _("deposit %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    merchandiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merchandiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers_followed",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers_sold",
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="parties_customer_credit_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def payment_terms_text(self) -> str:
        return payment_terms_text(
            terms=self.payment_terms, days=self.payment_days, deposit_percent=self.deposit_percent
        )


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class Supplier(VersionedModel):
    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Material supplier")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")

    code = models.CharField(_("supplier code"), max_length=20, unique=True)
    name = models.CharField(_("supplier name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUPPLIER)
    processes = models.CharField(
        _("processes"), max_length=200, blank=True, help_text=_("e.g. printing, embroidery, washing")
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (working days)"), default=0, validators=[MaxValueValidator(365)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
