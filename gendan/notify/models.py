"""In-app notifications, group-robot endpoints and the delivery log of every e-mail / webhook send."""

import re

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.core.models import TimeStampedModel


class Notification(models.Model):
    """One message for one user. `order_id` is a plain integer so notify depends on no domain app."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    order_id = models.PositiveBigIntegerField(_("order id"), null=True, blank=True, db_index=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notify_notification_recipient_dedupe_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notify_recipient_read_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class WebhookEndpoint(TimeStampedModel):
    """A group robot (群机器人) of WeCom, DingTalk or Feishu that receives notifications."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk custom robot (钉钉)")
        FEISHU = "feishu", _("Feishu custom bot (飞书)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    url = models.URLField(
        _("webhook URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The robot's webhook address, including its key or access token."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk “加签” or Feishu “签名校验” secret; leave blank when signing is off."),
    )
    active = models.BooleanField(_("active"), default=True)
    kinds = models.CharField(
        _("notification kinds"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated notification kinds this robot receives; blank receives all."),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def kind_list(self) -> list[str]:
        return [part for part in re.split(r"[\s,，]+", self.kinds) if part]

    def receives(self, kind: str) -> bool:
        wanted = self.kind_list
        return not wanted or kind in wanted


class Delivery(TimeStampedModel):
    """One message to one external target (an address or a robot) and what happened to it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    order_id = models.PositiveBigIntegerField(_("order id"), null=True, blank=True)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="notify_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}: {self.get_status_display()}"
