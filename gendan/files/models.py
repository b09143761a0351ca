"""Files on the record (issue 14 item 4): PO scans, faxes, tech packs, artwork, approvals, attached to an
order or to a document of an order (review, shipment, complaint, change request — see registry.py)."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gendan.orders.models import Order


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A name nobody can guess (issue 21 item 5): a random token, keeping only the checked extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}.{extension}"


class AttachmentKind(models.TextChoices):
    ORIGINAL_PO = "original_po", _("Customer PO (original)")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Customer e-mail")
    TECH_PACK = "tech_pack", _("Tech pack")
    ARTWORK = "artwork", _("Artwork")
    APPROVAL = "approval", _("Approval")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("attached to"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(_("owner id"))
    owner = GenericForeignKey("owner_type", "owner_id")
    # the owner's order, kept on the row: the scope of every read and the timeline the events go to
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="files", db_index=False
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # withdrawn, never deleted: a file once on the record stays there, marked
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "uploaded_at"], name="files_att_owner"),
            models.Index(fields=["order", "uploaded_at"], name="files_att_order"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
