"""Export jobs: one row per Excel export — large ones run on the task queue, small ones are answered at once
but still hold a row while they run, so a per-user limit can count every export in progress on any
process."""

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.models import EventModel, TimeStampedModel


class ExportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export status", "Queued")
    RUNNING = "running", pgettext_lazy("export status", "Preparing")
    DONE = "done", pgettext_lazy("export status", "Ready")
    FAILED = "failed", pgettext_lazy("export status", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("export status", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("export status", "Expired")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)

# status → statuses it may move to (export_job_transition checks it)
TRANSITIONS: dict[str, set[str]] = {
    ExportStatus.QUEUED: {ExportStatus.RUNNING, ExportStatus.CANCELLED, ExportStatus.FAILED},
    ExportStatus.RUNNING: {ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.CANCELLED},
    ExportStatus.DONE: {ExportStatus.EXPIRED},
    ExportStatus.FAILED: set(),
    ExportStatus.CANCELLED: set(),
    ExportStatus.EXPIRED: set(),
}


class ExportMode(models.TextChoices):
    SYNC = "sync", _("Direct download")
    BACKGROUND = "background", _("Prepared in the background")


def _token() -> str:
    return secrets.token_hex(20)


class ExportJob(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=30)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    mode = models.CharField(
        _("mode"), max_length=12, choices=ExportMode.choices, default=ExportMode.BACKGROUND
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    # The stored file is named by this token (never by id or time), under settings.EXPORT_ROOT.
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    file_path = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # what the audit row records at download
    error_code = models.CharField(max_length=30, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"], name="exports_job_user_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def rows_done_text(self) -> str:
        return f"{self.rows_done:,}"

    @property
    def rows_total_text(self) -> str:
        return f"{self.rows_total:,}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))


class ExportJobEvent(EventModel):
    job = models.ForeignKey(
        ExportJob, verbose_name=_("export job"), on_delete=models.CASCADE, related_name="events"
    )

    VALUE_CHOICES: ClassVar[dict[str, Any]] = {"": ExportStatus}

    class Meta(EventModel.Meta):
        verbose_name = _("export job event")
        verbose_name_plural = _("export job events")
