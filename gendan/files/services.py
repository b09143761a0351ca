"""Writes on attachments: add (checked type, size and content; random stored name; an event on the order's
timeline; the original of a fax/e-mail order received) and withdraw (soft: the file stays on the record)."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, TransitionError
from gendan.files.models import Attachment, AttachmentKind
from gendan.files.selectors import attachment_owner_spec
from gendan.files.validation import attachment_file_check, clean_name
from gendan.orders.models import Order, OrderEvent
from gendan.orders.selectors import order_scope_q
from gendan.orders.services import order_event_record, order_original_receive

MAX_PER_OWNER = 100
WITHDRAW_ANY_ROLES = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)


def _ensure_writer(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _order_locked(order_id: int, actor: User) -> Order:
    order = Order.objects.select_for_update(of=("self",)).filter(order_scope_q(actor), pk=order_id).first()
    if order is None:
        raise NotFoundError(_("Not found."))
    return order


@transaction.atomic
def attachment_add(
    *, owner: Model, actor: User, file: UploadedFile, kind: str = AttachmentKind.OTHER, note: str = ""
) -> Attachment:
    """Attach `file` to `owner` (a registered owner whose order `actor` sees). Refused with a field error on
    `file` (400) and nothing stored: a type outside the list, over ATTACHMENT_MAX_BYTES, or content that is
    not what the name says. A customer PO original on an order whose original is pending records it as
    received."""
    _ensure_writer(actor)
    spec = attachment_owner_spec(owner)
    order = _order_locked(spec.order_of(owner).pk, actor)
    if kind not in AttachmentKind.values:
        raise ApplicationError(
            _("Choose what kind of document this is."),
            code="invalid_kind",
            extra={"fields": {"kind": [_("Choose what kind of document this is.")]}},
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise ApplicationError(
            _("At most 200 characters."),
            code="note_too_long",
            extra={"fields": {"note": [_("At most 200 characters.")]}},
        )
    extension, file_type = attachment_file_check(file)
    owner_type = ContentType.objects.get_for_model(type(owner))
    if Attachment.objects.filter(owner_type=owner_type, owner_id=owner.pk).count() >= MAX_PER_OWNER:
        raise ApplicationError(
            _("At most %(n)d files may be attached here.") % {"n": MAX_PER_OWNER}, code="too_many_files"
        )
    original_name = clean_name(file.name)
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner.pk,
        order=order,
        kind=kind,
        original_name=original_name,
        size=file.size,
        content_type=file_type.content_type,
        sha256=_sha256(file),
        note=note,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(f"upload.{extension}", file, save=False)  # attachment_path draws the random name
    try:
        attachment.save()
        data = {"attachment": attachment.pk, "kind": kind, "owner_type": spec.key, "owner_id": owner.pk}
        order_event_record(
            order=order, type=OrderEvent.Type.ATTACHMENT_ADDED, actor=actor, note=original_name, data=data
        )
        if kind == AttachmentKind.ORIGINAL_PO and order.original_pending:
            order_original_receive(order=order, actor=actor, data={"attachment": attachment.pk})
    except BaseException:
        attachment.file.delete(save=False)  # the row rolls back: leave no file behind
        raise
    return attachment


@transaction.atomic
def attachment_withdraw(*, attachment: Attachment, actor: User, reason: str = "") -> Attachment:
    """Mark a file withdrawn (it stays on the record, listed as withdrawn): its uploader, or a supervisor,
    the GM or an administrator."""
    _ensure_writer(actor)
    _order_locked(attachment.order_id, actor)
    current = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if current.uploaded_by_id != actor.pk and not actor.has_role(*WITHDRAW_ANY_ROLES):
        raise PermissionDeniedError(
            _("Only the person who attached a file, or a supervisor, may withdraw it."),
            code="role_not_allowed",
        )
    if current.withdrawn_at is not None:
        raise TransitionError(_("This file was already withdrawn."), code="already_withdrawn")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ApplicationError(
            _("At most 200 characters."),
            code="reason_too_long",
            extra={"fields": {"reason": [_("At most 200 characters.")]}},
        )
    current.withdrawn_at, current.withdrawn_by, current.withdrawn_reason = timezone.now(), actor, reason
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    order_event_record(
        order=current.order,
        type=OrderEvent.Type.ATTACHMENT_WITHDRAWN,
        actor=actor,
        note=reason or current.original_name,
        data={"attachment": current.pk, "file": current.original_name},
    )
    return current
