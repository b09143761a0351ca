from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gendan.accounts import roles as R
from gendan.core.models import TimeStampedModel


class Department(models.Model):
    class Code(models.TextChoices):
        MERCHANDISING = "merchandising", _("Merchandising")
        BUSINESS = "business", _("Business")
        TECHNICAL = "technical", _("Technical")
        PLANNING = "planning", _("Planning")
        PURCHASING = "purchasing", _("Purchasing / warehouse")
        QUALITY = "quality", _("Quality")
        FINANCE = "finance", _("Finance")
        PRODUCTION = "production", _("Production")
        MANAGEMENT = "management", _("Management")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: a name still equal to the code's English label (as seeded)
        reads as the translated label; a name someone typed is shown as typed."""
        if self.code in self.Code.values:
            with translation.override(None):
                english = str(self.Code(self.code).label)
            if self.name in ("", english, self.code):
                return str(self.Code(self.code).label)
        return self.name


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        names = frozenset(self.groups.values_list("name", flat=True))
        if self.is_superuser:
            names |= {R.ADMIN}
        return names & frozenset(R.ALL_ROLES)

    def has_role(self, *codes: str) -> bool:
        return bool(self.roles & set(codes))

    @property
    def sees_all(self) -> bool:
        return bool(self.roles & R.SEE_ALL_ROLES)

    @property
    def is_read_only(self) -> bool:
        return bool(self.roles) and self.roles <= R.READ_ONLY_ROLES

    @property
    def department_code(self) -> str:
        return self.department.code if self.department_id else ""


class Delegation(TimeStampedModel):
    """Temporary access: `substitute` acts for `owner` between the dates (handover during leave)."""

    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    substitute = models.ForeignKey(
        User, verbose_name=_("substitute"), on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    approved = models.BooleanField(_("approved"), default=False)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="accounts_delegation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(owner=models.F("substitute")), name="accounts_delegation_not_self"
            ),
        ]
        indexes = [models.Index(fields=["substitute", "starts_on", "ends_on"])]

    @classmethod
    def owners_for(cls, substitute: User) -> list[int]:
        today = timezone.localdate()
        return list(
            cls.objects.filter(
                substitute=substitute, approved=True, starts_on__lte=today, ends_on__gte=today
            ).values_list("owner_id", flat=True)
        )


class ApiToken(TimeStampedModel):
    """A revocable API token; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=50)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
