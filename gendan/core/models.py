"""Base models: timestamps, optimistic locking, append-only events, document counters."""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """`version` grows by one on every user edit; a save with a stale version is refused (409)."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class EventModel(models.Model):
    """One row per fact. Rows are never changed or deleted: the timeline is the audit trail."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    type = models.CharField(_("type"), max_length=40)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    #: What labels the `from_status` / `to_status` values, per event type; the key "" stands for every
    #: type (the document's own status choices). A subclass sets its own dict; another app adds the choices
    #: of the values it writes with `label_values` (e.g. an order's risk levels, an inspection's statuses).
    VALUE_CHOICES: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("event rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("event rows are append-only")

    @classmethod
    def label_values(cls, choices: Any, *types: str) -> None:
        """Label the from/to values of these event types with `choices` (a TextChoices class)."""
        for event_type in types:
            cls.VALUE_CHOICES[str(event_type)] = choices

    def value_label(self, value: str) -> str:
        """A from/to value as a person reads it: through the choices of the event's type, then of the
        document; a value no choices know (a level "L2", a date) is shown as stored."""
        if not value:
            return ""
        for key in (self.type, ""):
            choices = type(self).VALUE_CHOICES.get(key)
            if choices is not None:
                label = dict(choices.choices).get(value)
                if label is not None:
                    return str(label)
        return value

    @property
    def type_label(self) -> str:
        types = getattr(type(self), "Type", None)
        return str(dict(types.choices).get(self.type, self.type)) if types is not None else self.type

    @property
    def from_label(self) -> str:
        return self.value_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self.value_label(self.to_status)

    @property
    def change_label(self) -> str:
        """ "已登记 → 调查中" for a transition; the new value alone when there was none before (and it says
        more than the event's own label); "" when the event changed no status."""
        if self.from_status:
            return f"{self.from_label} → {self.to_label}"
        if self.to_status and self.to_label != self.type_label:
            return self.to_label
        return ""


class DocumentCounter(models.Model):
    """Last number drawn per series and year; incremented inside the document's own transaction."""

    series = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="core_counter_series_year_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.year}:{self.last}"


class AuditLog(models.Model):
    """Who exported or printed what, under which scope. Append-only like events."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")
        IMPORT = "import", _("Import")
        LOGIN_LOCKED = "login_locked", _("Login locked")
        DOWNLOAD = "download", _("Download")
        SCOPE_REFUSED = "scope_refused", _("Refused outside scope")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    what = models.CharField(_("what"), max_length=100)
    object_ref = models.CharField(_("object"), max_length=100, blank=True)
    scope = models.CharField(_("scope applied"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit rows are append-only")


class LoginFailure(models.Model):
    """A failed login, counted per (username, address) and per address for throttling."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "address", "created_at"], name="core_loginfail_user_addr"),
            models.Index(fields=["address", "created_at"], name="core_loginfail_addr"),
        ]


class LoginCounter(models.Model):
    """Login attempts counted for throttling, one row per key: "pair:<address> <username>", "user:<username>",
    "addr:<address>". Incremented in one statement (an upsert) before any password is hashed, so parallel
    guesses cannot slip past the limit (gendan.accounts.throttle)."""

    key = models.CharField(max_length=250, unique=True)
    window_start = models.BigIntegerField()  # epoch seconds; the count restarts when the window is over
    count = models.PositiveIntegerField(default=0)


class LoginAddress(models.Model):
    """An address a user has logged in from successfully: their usual address, where a lock on the address
    or on the name (set off by others) does not apply to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.GenericIPAddressField()
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="core_loginaddress_user_addr_uniq")
        ]


class IdempotencyRecord(models.Model):
    """The response to a POST sent with an Idempotency-Key, replayed for the same key (double clicks, retries)."""

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # null while the first request runs
    body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="core_idempotency_user_key_uniq")
        ]


def decimals_as_stored(*instances: models.Model) -> None:
    """Give Decimal fields the scale the database stores (300 → 300.000), so an object answered from
    memory after a write reads exactly like the same row read back."""
    for instance in instances:
        for field in instance._meta.concrete_fields:
            if isinstance(field, models.DecimalField):
                value = getattr(instance, field.attname)
                if isinstance(value, Decimal):
                    setattr(instance, field.attname, value.quantize(Decimal(1).scaleb(-field.decimal_places)))
