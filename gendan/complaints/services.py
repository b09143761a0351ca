"""Writes on complaints (客诉单): register, move through the steps (each with its required content and a new
deadline), photos, and the mark that makes a complaint evidence of a violation."""

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import Department, User
from gendan.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintStatus,
    ComplaintType,
    Severity,
)
from gendan.complaints.selectors import complaint_visible_list
from gendan.complaints.workflows import COMPLAINT_TRANSITIONS, STEP_DEADLINE_DAYS
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.parsing import (
    FieldErrors,
    blank,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from gendan.core.workflow import transition_check
from gendan.orders.models import OrderEvent
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_event_record

COMPLAINT_SERIES = "KS"
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 20
_PHOTO_MAGIC = {
    b"\xff\xd8\xff": ".jpg",
    b"\x89PNG\r\n\x1a\n": ".png",
    b"RIFF": ".webp",
}


class PhotoRejected(ApplicationError):
    code = "photo_rejected"
    status = 400


def _ensure(actor: User, roles: tuple[str, ...]) -> None:
    if not actor.is_active or actor.is_read_only or not actor.has_role(*roles):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def _deadline(status: str, start: dt.date) -> dt.date | None:
    days = STEP_DEADLINE_DAYS.get(status)
    return start + dt.timedelta(days=days) if days is not None else None


def _notify_supervisor(complaint: Complaint) -> None:
    supervisor = complaint.order.merchandiser.supervisor
    if supervisor is None:
        return
    from gendan.notify.services import notify

    notify(
        recipients=[supervisor],
        kind="complaint.registered",
        title=_("Complaint %(n)s from %(customer)s on order %(order)s")
        % {"n": complaint.number, "customer": complaint.customer.name, "order": complaint.order.number},
        body=complaint.description[:500],
        link=f"/complaints/{complaint.pk}/",
        dedupe_key=f"complaint-registered:{complaint.pk}",
        order_id=complaint.order_id,
    )


@transaction.atomic
def complaint_register(*, actor: User, data: Mapping[str, Any]) -> Complaint:
    """The merchandiser writes the 客诉单; the supervisor is told and assigns the investigation."""
    _ensure(actor, (R.MERCHANDISER, R.SALES, R.SUPERVISOR, R.ADMIN))
    errors = FieldErrors()
    order = None
    order_id = parse_int(data.get("order"), "order", errors)
    if order_id is not None:
        order = order_visible_list(user=actor).filter(pk=order_id).first()
        if order is None:
            errors.add("order", _("Unknown order."))
    shipment = None
    if not blank(data.get("shipment")) and order is not None:
        shipment_id = parse_int(data.get("shipment"), "shipment", errors)
        shipment = order.shipments.filter(pk=shipment_id).first() if shipment_id is not None else None
        if shipment is None:
            errors.add("shipment", _("This shipment is not a shipment of the order."))
    complaint_type = parse_choice(data.get("type"), "type", errors, ComplaintType)
    severity = parse_choice(data.get("severity"), "severity", errors, Severity, default=Severity.MAJOR)
    received_on = (
        parse_date(data.get("received_on"), "received_on", errors, required=False) or timezone.localdate()
    )
    if received_on > timezone.localdate():
        errors.add("received_on", _("The date cannot be in the future."))
    description = parse_text(data.get("description"), "description", errors, required=True, max_length=5000)
    quantity = parse_decimal(
        data.get("quantity_affected"),
        "quantity_affected",
        errors,
        required=False,
        places=3,
        minimum=Decimal(0),
        default=Decimal("0"),
    )
    claim = parse_decimal(
        data.get("claim_amount"),
        "claim_amount",
        errors,
        required=False,
        places=2,
        max_digits=14,
        minimum=Decimal(0),
        default=Decimal("0"),
    )
    errors.raise_if_any()
    assert order is not None and quantity is not None and claim is not None
    complaint = Complaint(
        number=document_number_next(series=COMPLAINT_SERIES, year=received_on.year),
        customer=order.customer,
        order=order,
        shipment=shipment,
        type=complaint_type,
        severity=severity,
        received_on=received_on,
        description=description,
        quantity_affected=quantity,
        claim_amount=claim.quantize(Decimal("0.01")),
        currency=order.currency,
        deadline=_deadline(ComplaintStatus.REGISTERED, received_on),
        registered_by=actor,
    )
    complaint.save(force_insert=True)
    ComplaintEvent.objects.create(
        complaint=complaint,
        type=ComplaintEvent.Type.REGISTERED,
        actor=actor,
        to_status=complaint.status,
        data={"deadline": complaint.deadline.isoformat() if complaint.deadline else None},
    )
    order_event_record(
        order=order,
        type=OrderEvent.Type.COMPLAINT_REGISTERED,
        actor=actor,
        note=description[:300],
        data={
            "complaint": complaint.number,
            "type": complaint_type,
            "claim_amount": str(complaint.claim_amount),
        },
    )
    _notify_supervisor(complaint)
    return complaint


def _locked(complaint: Complaint, actor: User, version: int | None = None) -> Complaint:
    current = Complaint.objects.select_for_update().filter(pk=complaint.pk).select_related("order").first()
    if current is None or not complaint_visible_list(user=actor).filter(pk=complaint.pk).exists():
        raise NotFoundError(_("Complaint not found."))
    if version is not None and current.version != version:
        raise ConflictError(_("Someone else changed this complaint. Reload and try again."))
    return current


# What each step needs: action → (field, required)
_STEP_FIELD = {
    "investigate": ("responsible_department", True),
    "record_root_cause": ("root_cause", True),
    "record_corrective_action": ("corrective_action", True),
    "confirm_by_customer": ("customer_confirmation", True),
    "close": ("closing_note", False),
}


@transaction.atomic
def complaint_transition(
    *, complaint: Complaint, actor: User, action: str, text: str = "", version: int | None = None
) -> Complaint:
    """One step of the complaint's workflow. `text`: the responsible department's code (investigate), the
    root cause, the corrective action, the customer's confirmation or the closing note."""
    if not actor.is_active or actor.is_read_only:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    current = _locked(complaint, actor, version)
    transition = transition_check(COMPLAINT_TRANSITIONS, action, current.status, set(actor.roles))
    field, required = _STEP_FIELD[action]
    value = (text or "").strip()
    if required and not value:
        raise ValidationFailed(
            {field: [_("This field is required.")]},
            message=_("Please fill in: %(f)s.") % {"f": Complaint._meta.get_field(field).verbose_name},
        )
    if len(value) > 5000:
        raise ValidationFailed({field: [_("At most %(n)d characters.") % {"n": 5000}]})
    if action == "investigate":
        department = Department.objects.filter(code=value).first()
        if department is None:
            raise ValidationFailed({field: [_("Unknown department.")]})
        current.responsible_department = department
    else:
        setattr(current, field, value)
    source = current.status
    today = timezone.localdate()
    current.status = transition.target
    current.deadline = _deadline(current.status, today)
    if current.status == ComplaintStatus.CLOSED:
        current.closed_at = timezone.now()
    current.version += 1
    current.save()
    ComplaintEvent.objects.create(
        complaint=current,
        type=ComplaintEvent.Type.TRANSITION,
        actor=actor,
        from_status=source,
        to_status=current.status,
        note=value[:2000],
        data={"action": action, "deadline": current.deadline.isoformat() if current.deadline else None},
    )
    if current.status == ComplaintStatus.CLOSED:
        order_event_record(
            order=current.order,
            type=OrderEvent.Type.COMPLAINT_CLOSED,
            actor=actor,
            data={"complaint": current.number},
        )
    return current


def complaint_investigate(*, complaint: Complaint, actor: User, department: str) -> Complaint:
    return complaint_transition(complaint=complaint, actor=actor, action="investigate", text=department)


def complaint_root_cause(*, complaint: Complaint, actor: User, root_cause: str) -> Complaint:
    return complaint_transition(complaint=complaint, actor=actor, action="record_root_cause", text=root_cause)


def complaint_corrective_action(*, complaint: Complaint, actor: User, action: str) -> Complaint:
    return complaint_transition(
        complaint=complaint, actor=actor, action="record_corrective_action", text=action
    )


def complaint_customer_confirm(*, complaint: Complaint, actor: User, confirmation: str) -> Complaint:
    return complaint_transition(
        complaint=complaint, actor=actor, action="confirm_by_customer", text=confirmation
    )


def complaint_close(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    return complaint_transition(complaint=complaint, actor=actor, action="close", text=note)


_PHOTO_FORMAT = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
PHOTO_MAX_PIXELS = 50_000_000


def _decodes_as_image(file: UploadedFile, extension: str) -> bool:
    """The right magic bytes are not enough (a PNG signature in front of anything passes them): Pillow must
    read the header as that format, of a sane size, and verify the data."""
    from PIL import Image

    try:
        file.seek(0)
        with Image.open(file) as image:
            if image.format != _PHOTO_FORMAT[extension] or image.width * image.height > PHOTO_MAX_PIXELS:
                return False
            image.verify()
    except Exception:  # Pillow raises many kinds for a file that is not a valid image
        return False
    finally:
        file.seek(0)
    return True


@transaction.atomic
def complaint_photo_add(
    *, complaint: Complaint, actor: User, file: UploadedFile, caption: str = ""
) -> ComplaintPhoto:
    """A JPEG, PNG or WebP photo of at most 5 MB (checked by content, not by the name)."""
    _ensure(actor, (R.MERCHANDISER, R.SALES, R.SUPERVISOR, R.REVIEWER, R.ADMIN))
    current = _locked(complaint, actor)
    if current.photos.count() >= PHOTO_MAX_COUNT:
        raise PhotoRejected(_("At most %(n)d photos per complaint.") % {"n": PHOTO_MAX_COUNT})
    if file.size is None or file.size > PHOTO_MAX_BYTES:
        raise PhotoRejected(_("A photo may be at most 5 MB."))
    head = file.read(16)
    file.seek(0)
    extension = next((ext for magic, ext in _PHOTO_MAGIC.items() if head.startswith(magic)), None)
    if extension == ".webp" and head[8:12] != b"WEBP":
        extension = None
    if extension is None or not _decodes_as_image(file, extension):
        raise PhotoRejected(_("Upload a photo (JPEG, PNG or WebP)."))
    file.name = f"{secrets.token_urlsafe(16)}{extension}"  # not guessable (issue 21 item 5)
    photo = ComplaintPhoto(
        complaint=current, file=file, caption=(caption or "").strip()[:200], uploaded_by=actor
    )
    photo.save()
    ComplaintEvent.objects.create(
        complaint=current, type=ComplaintEvent.Type.PHOTO, actor=actor, data={"photo": photo.pk}
    )
    return photo


@transaction.atomic
def complaint_mark_violation(*, complaint: Complaint, actor: User, note: str, ref: str = "") -> Complaint:
    """Mark the complaint as evidence of a merchandiser's violation (seed: 3 no follow-up → complaint,
    7 complaint about attitude); gendan.performance reads the mark and may store its reference."""
    _ensure(actor, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN))
    current = _locked(complaint, actor)
    note = (note or "").strip()
    if not note or len(note) > 300:
        raise ValidationFailed(
            {"violation_note": [_("Say which violation this complaint shows (at most 300 characters).")]}
        )
    current.is_violation_evidence, current.violation_note, current.violation_ref = (
        True,
        note,
        (ref or "").strip()[:50],
    )
    current.version += 1
    current.save(
        update_fields=["is_violation_evidence", "violation_note", "violation_ref", "version", "updated_at"]
    )
    ComplaintEvent.objects.create(
        complaint=current,
        type=ComplaintEvent.Type.VIOLATION,
        actor=actor,
        note=note,
        data={"ref": current.violation_ref},
    )
    return current


def complaints_overdue_remind(*, as_of: dt.date | None = None) -> int:
    """Tell the merchandiser and their supervisor about each open complaint whose step deadline has passed,
    once per complaint and deadline. Returns the number of complaints reminded about."""
    from gendan.complaints.models import Complaint
    from gendan.complaints.selectors import OPEN_STATUSES
    from gendan.notify.services import notify

    as_of = as_of or timezone.localdate()
    reminded = 0
    overdue = Complaint.objects.filter(status__in=OPEN_STATUSES, deadline__lt=as_of).select_related(
        "order__merchandiser__supervisor", "customer"
    )
    for complaint in overdue.order_by("deadline", "id"):
        merchandiser = complaint.order.merchandiser
        recipients = [merchandiser, *([merchandiser.supervisor] if merchandiser.supervisor else [])]
        with transaction.atomic():
            created = notify(
                recipients=recipients,
                kind="complaint.overdue",
                title=_("Complaint %(n)s (%(customer)s) is past its deadline %(d)s: %(status)s")
                % {
                    "n": complaint.number,
                    "customer": complaint.customer.name,
                    "d": complaint.deadline.isoformat(),
                    "status": complaint.get_status_display(),
                },
                link=f"/complaints/{complaint.pk}/",
                dedupe_key=f"complaint-overdue:{complaint.pk}:{complaint.status}:{complaint.deadline.isoformat()}",
                order_id=complaint.order_id,
            )
        reminded += bool(created)
    return reminded


def complaint_printed(*, complaint: Complaint, actor: User) -> None:
    """The complaint form was printed: on the complaint's record (not a user edit)."""
    ComplaintEvent.objects.create(complaint=complaint, type=ComplaintEvent.Type.PRINTED, actor=actor)
