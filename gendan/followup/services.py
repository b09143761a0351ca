"""Writes of follow-up: T&A plans, progress records and photos, shipment confirmations, exceptions and
their escalation, daily logs and weekly reports. Every significant act is on the order's timeline."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.models import Industry
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.parsing import FieldErrors, parse_choice, parse_date, parse_decimal, parse_int, parse_text
from gendan.core.workflow import transition_check
from gendan.followup.models import (
    ExceptionStatus,
    ExceptionType,
    FollowupException,
    ProgressPhoto,
    ProgressRecord,
    ProgressStage,
    ProgressState,
    Severity,
    ShipmentConfirmation,
    TaMilestone,
    TaPlan,
    TaTemplate,
    TaTemplateMilestone,
    WeeklyReport,
)
from gendan.followup.notices import notice_send
from gendan.followup.policy import policy_for, slot_of
from gendan.followup.workflows import (
    ACTUAL_ROLES,
    EXCEPTION_TRANSITIONS,
    PLAN_EDIT_ROLES,
    PLAN_GENERATE_ROLES,
    RAISE_ROLES,
    RECORD_ROLES,
)
from gendan.orders.bulk import events_write, table_writer
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_event_record
from gendan.planning.calendar import WorkingCalendar

# Orders that carry a T&A plan; orders followed on the shop floor; orders whose shipments are confirmed.
PLAN_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.ON_HOLD,
)
PRODUCTION_STATUSES = (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
SHIPPING_STATUSES = (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED)
# Orders an exception may be raised on (from intake to delivery).
EXCEPTION_ORDER_STATUSES = (
    OrderStatus.IN_REVIEW,
    OrderStatus.APPROVED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.ON_HOLD,
)

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


# --- guards -------------------------------------------------------------------------------------------


def _ensure_can_write(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")


def _ensure_role(actor: User, roles: Iterable[str], message: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDeniedError(message, code="role_not_allowed")


def _order_locked(order: Order | int, actor: User) -> Order:
    """The order's row, locked, if `actor` may see it (services re-check scope)."""
    pk = order if isinstance(order, int) else order.pk
    if not order_visible_list(user=actor).filter(pk=pk).exists():
        raise NotFoundError(_("Order not found."))
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("merchandiser", "salesperson", "customer")
        .get(pk=pk)
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- T&A plans ----------------------------------------------------------------------------------------


def ta_template_for(*, order: Order) -> TaTemplate | None:
    """The active template for the order's industry and business type; the industry's any-type template;
    else the generic ones."""
    candidates = list(
        TaTemplate.objects.filter(
            active=True,
            industry__in=[order.industry, Industry.GENERIC],
            business_type__in=[order.business_type, ""],
        )
    )
    return _template_choose(candidates, order)


def _template_choose(templates: Sequence[TaTemplate], order: Order) -> TaTemplate | None:
    """Of active templates, the one ta_template_for gives the order: its industry and business type first,
    then the industry's any-type template, then the generic ones (by code)."""
    candidates = [
        t
        for t in templates
        if t.industry in (order.industry, Industry.GENERIC) and t.business_type in (order.business_type, "")
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda t: (t.industry != order.industry, t.business_type != order.business_type, t.code),
    )


def ta_schedule(
    *, milestones: list[TaTemplateMilestone], promised: dt.date, calendar: WorkingCalendar
) -> dict[int, dt.date]:
    """Planned date per template milestone: `lead_days` working days back from the promised date, or from
    the milestone it is offset from. A reference date on a non-working day first moves back to one."""
    by_id = {m.pk: m for m in milestones}
    dates: dict[int, dt.date] = {}

    def date_of(milestone: TaTemplateMilestone, depth: int = 0) -> dt.date:
        if milestone.pk in dates:
            return dates[milestone.pk]
        if depth > len(by_id):
            raise ApplicationError(
                _("The template's milestones are counted back from each other in a circle.")
            )
        parent = by_id.get(milestone.offset_from_id) if milestone.offset_from_id else None
        reference = date_of(parent, depth + 1) if parent else promised
        day = calendar.add_working_days(calendar.working_day_on_or_before(reference), -milestone.lead_days)
        dates[milestone.pk] = day
        return day

    for milestone in milestones:
        date_of(milestone)
    return dates


def _owner_ids_by_role(order: Order) -> dict[str, int | None]:
    supervisor_id, customer_salesperson_id = (
        Order.objects.filter(pk=order.pk)
        .values_list("merchandiser__supervisor_id", "customer__salesperson_id")
        .get()
    )
    return {
        R.MERCHANDISER: order.merchandiser_id,
        R.SALES: order.salesperson_id or customer_salesperson_id,
        R.SUPERVISOR: supervisor_id,
        R.PLANNER: order.planner_ack_by_id,
    }


def _plan_build(*, order: Order, actor: User | None, strict: bool) -> TaPlan:
    promised = order.promised_date or order.requested_date
    template = ta_template_for(order=order)
    template_milestones = list(template.milestones.all()) if template else []
    calendar = WorkingCalendar.load(promised.year - 2, promised.year, strict=strict)
    dates = ta_schedule(milestones=template_milestones, promised=promised, calendar=calendar)
    warnings = list(calendar.warnings)
    if template is None:
        warnings.append(_("No active T&A template fits this order: the plan has no milestones."))
    today = timezone.localdate()
    past = sum(1 for day in dates.values() if day < today)
    if past:
        warnings.append(
            _("%(n)d milestone(s) fall before today: record their actual dates or move them.") % {"n": past}
        )
    plan = TaPlan.objects.create(
        order=order, template=template, promised_date=promised, generated_by=actor, warnings=warnings
    )
    owners = _owner_ids_by_role(order)
    rows = TaMilestone.objects.bulk_create(
        TaMilestone(
            plan=plan,
            code=m.code,
            name=m.name,
            owner_role=m.owner_role,
            owner_id=owners.get(m.owner_role),
            lead_days=m.lead_days,
            mandatory=m.mandatory,
            sequence=m.sequence,
            baseline_date=dates[m.pk],
            planned_date=dates[m.pk],
        )
        for m in template_milestones
    )
    by_template_id = {m.pk: row for m, row in zip(template_milestones, rows, strict=True)}
    linked = []
    for m in template_milestones:
        if m.offset_from_id:
            row = by_template_id[m.pk]
            row.offset_from = by_template_id[m.offset_from_id]
            linked.append(row)
    if linked:
        TaMilestone.objects.bulk_update(linked, ["offset_from"])
    order_event_record(
        order=order,
        type=OrderEvent.Type.TA_PLAN_GENERATED,
        actor=actor,
        data={
            "plan": plan.pk,
            "template": template.code if template else "",
            "milestones": len(rows),
            "promised_date": promised.isoformat(),
            "warnings": warnings,
        },
    )
    return plan


@transaction.atomic
def ta_plan_generate(*, order: Order, actor: User, strict: bool = False) -> TaPlan:
    """Generate the order's T&A plan (for orders released before plans existed). `strict`: refuse dates in
    a year the working-day calendar does not cover (CalendarNotCoveredError) instead of assuming Mon–Fri."""
    _ensure_can_write(actor)
    _ensure_role(actor, PLAN_GENERATE_ROLES, _("Your role may not generate T&A plans."))
    order = _order_locked(order, actor)
    if order.status not in PLAN_STATUSES:
        raise TransitionError(_("A T&A plan is made for a released order."), code="not_released")
    if TaPlan.objects.filter(order=order).exists():
        raise ApplicationError(_("This order already has a T&A plan."), code="plan_exists", status=409)
    return _plan_build(order=order, actor=actor, strict=strict)


def ta_plan_on_release(*, order: Order, actor: User) -> TaPlan | None:
    """Registered in orders.services.ORDER_RELEASED_HOOKS: runs inside order_release's transaction."""
    if TaPlan.objects.filter(order=order).exists():
        return None
    return _plan_build(order=order, actor=actor, strict=False)


def ta_plans_on_release_many(*, orders: Sequence[Order], actor: User) -> list[TaPlan]:
    """ta_plan_on_release for a batch release (orders.bulk.ORDER_RELEASED_MANY_HOOKS): the same plans,
    milestones and events, written together — the templates and calendars read once, the owners in one
    query, one INSERT per table."""
    ids = [order.pk for order in orders]
    have = set(TaPlan.objects.filter(order__in=ids).values_list("order_id", flat=True))
    todo = [order for order in orders if order.pk not in have]
    if not todo:
        return []
    active = list(TaTemplate.objects.filter(active=True).prefetch_related("milestones"))
    owner_rows = {
        pk: (supervisor_id, salesperson_id)
        for pk, supervisor_id, salesperson_id in Order.objects.filter(
            pk__in=[o.pk for o in todo]
        ).values_list("pk", "merchandiser__supervisor_id", "customer__salesperson_id")
    }
    calendar_rows: dict[int, WorkingCalendar] = {}
    today = timezone.localdate()
    plans, built = [], []
    for order in todo:
        promised = order.promised_date or order.requested_date
        template = _template_choose(active, order)
        template_milestones = list(template.milestones.all()) if template else []
        if promised.year not in calendar_rows:
            calendar_rows[promised.year] = WorkingCalendar.load(promised.year - 2, promised.year)
        loaded = calendar_rows[promised.year]
        # a calendar of its own per order: its warnings are the ones this order's dates run into
        calendar = WorkingCalendar(
            years=loaded.years,
            working_overrides=loaded.working_overrides,
            closed_overrides=loaded.closed_overrides,
        )
        dates = ta_schedule(milestones=template_milestones, promised=promised, calendar=calendar)
        warnings = list(calendar.warnings)
        if template is None:
            warnings.append(_("No active T&A template fits this order: the plan has no milestones."))
        past = sum(1 for day in dates.values() if day < today)
        if past:
            warnings.append(
                _("%(n)d milestone(s) fall before today: record their actual dates or move them.")
                % {"n": past}
            )
        plans.append(
            TaPlan(
                order=order, template=template, promised_date=promised, generated_by=actor, warnings=warnings
            )
        )
        built.append((order, template, template_milestones, dates))
    plans = TaPlan.objects.bulk_create(plans)
    columns = (
        "plan_id",
        "code",
        "name",
        "owner_role",
        "owner_id",
        "lead_days",
        "mandatory",
        "sequence",
        "baseline_date",
        "planned_date",
    )
    rows, sources = [], []
    for plan, (order, _template, template_milestones, dates) in zip(plans, built, strict=True):
        supervisor_id, customer_salesperson_id = owner_rows[order.pk]
        owners = {
            R.MERCHANDISER: order.merchandiser_id,
            R.SALES: order.salesperson_id or customer_salesperson_id,
            R.SUPERVISOR: supervisor_id,
            R.PLANNER: order.planner_ack_by_id,
        }
        for m in template_milestones:
            day = dates[m.pk]
            rows.append(
                (plan.pk, m.code, m.name, m.owner_role, owners.get(m.owner_role), m.lead_days, m.mandatory)
                + (m.sequence, day, day)
            )
            sources.append((plan.pk, m))
    now = timezone.now()
    table_writer(TaMilestone, columns).insert(rows, now=now)
    # Links between milestones of a plan (offset from another one) by code — unique within a plan: one
    # UPDATE per (milestone, reference) pair of codes, whatever the number of plans.
    codes = {m.pk: m.code for _plan_pk, m in sources}
    pairs: dict[tuple[str, str], list[int]] = {}
    for plan_pk, m in sources:
        if m.offset_from_id:
            pairs.setdefault((m.code, codes[m.offset_from_id]), []).append(plan_pk)
    for (code, reference), plan_ids in pairs.items():
        TaMilestone.objects.filter(plan_id__in=plan_ids, code=code).update(
            offset_from=Subquery(
                TaMilestone.objects.filter(plan_id=OuterRef("plan_id"), code=reference).values("pk")[:1]
            )
        )
    counts: dict[int, int] = {}
    for plan_pk, _m in sources:
        counts[plan_pk] = counts.get(plan_pk, 0) + 1
    events_write(
        [
            (
                order.pk,
                OrderEvent.Type.TA_PLAN_GENERATED,
                actor.pk if actor else None,
                "",
                "",
                "",
                {
                    "plan": plan.pk,
                    "template": template.code if template else "",
                    "milestones": counts.get(plan.pk, 0),
                    "promised_date": plan.promised_date.isoformat(),
                    "warnings": plan.warnings,
                },
            )
            for plan, (order, template, _milestones, _dates) in zip(plans, built, strict=True)
        ],
        now=now,
    )
    return plans


def _milestone_locked(milestone: TaMilestone | int, actor: User) -> TaMilestone:
    pk = milestone if isinstance(milestone, int) else milestone.pk
    row = TaMilestone.objects.select_related("plan").filter(pk=pk).first()
    if row is None or not order_visible_list(user=actor).filter(pk=row.plan.order_id).exists():
        raise NotFoundError(_("Milestone not found."))
    return TaMilestone.objects.select_for_update(of=("self",)).select_related("plan__order").get(pk=pk)


def _check_version(row: Any, version: int | None) -> None:
    if version is not None and row.version != version:
        raise ConflictError(
            _("Someone else changed this in the meantime. Reload and try again."),
            extra={"current_version": row.version},
        )


@transaction.atomic
def ta_milestone_move(
    *,
    milestone: TaMilestone,
    actor: User,
    planned_date: dt.date | str | None,
    reason: str,
    version: int | None = None,
) -> TaMilestone:
    """The planner moves a milestone's date; the reason goes on the order's timeline."""
    _ensure_can_write(actor)
    _ensure_role(actor, PLAN_EDIT_ROLES, _("Only the planner or a supervisor can move milestone dates."))
    milestone = _milestone_locked(milestone, actor)
    _check_version(milestone, version)
    errors = FieldErrors()
    new_date = parse_date(planned_date, "planned_date", errors)
    reason = parse_text(reason, "reason", errors, required=True, max_length=500)
    if new_date and new_date == milestone.planned_date:
        errors.add("planned_date", _("This is already the planned date."))
    errors.raise_if_any()
    if milestone.actual_date:
        raise TransitionError(_("This milestone is done; its date cannot move."), code="milestone_done")
    old = milestone.planned_date
    milestone.planned_date = new_date
    milestone.version += 1
    milestone.save(update_fields=["planned_date", "version", "updated_at"])
    order = milestone.plan.order
    order_event_record(
        order=order,
        type=OrderEvent.Type.TA_MILESTONE_MOVED,
        actor=actor,
        note=reason,
        data={
            "milestone": milestone.pk,
            "code": milestone.code,
            "name": milestone.name,
            "from": old.isoformat(),
            "to": new_date.isoformat(),
            "after_promised": new_date > milestone.plan.promised_date,
        },
    )
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk])
    return milestone


@transaction.atomic
def ta_milestone_actual(
    *, milestone: TaMilestone, actor: User, actual_date: dt.date | str | None, note: str = ""
) -> TaMilestone:
    """Record (or correct) the day a milestone was reached."""
    _ensure_can_write(actor)
    _ensure_role(actor, ACTUAL_ROLES, _("Your role may not record milestone dates."))
    milestone = _milestone_locked(milestone, actor)
    errors = FieldErrors()
    day = parse_date(actual_date, "actual_date", errors)
    note = parse_text(note, "note", errors, max_length=500)
    order = milestone.plan.order
    if day and day > timezone.localdate():
        errors.add("actual_date", _("An actual date cannot be in the future."))
    elif day and day < order.order_date:
        errors.add("actual_date", _("An actual date cannot be before the order date."))
    errors.raise_if_any()
    previous = milestone.actual_date
    milestone.actual_date = day
    milestone.version += 1
    milestone.save(update_fields=["actual_date", "version", "updated_at"])
    order_event_record(
        order=order,
        type=OrderEvent.Type.TA_MILESTONE_DONE,
        actor=actor,
        note=note,
        data={
            "milestone": milestone.pk,
            "code": milestone.code,
            "name": milestone.name,
            "planned": milestone.planned_date.isoformat(),
            "actual": day.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "late": day > milestone.planned_date,
        },
    )
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk])
    return milestone


@transaction.atomic
def ta_milestone_assign(*, milestone: TaMilestone, actor: User, owner: User | None) -> TaMilestone:
    _ensure_can_write(actor)
    _ensure_role(actor, PLAN_EDIT_ROLES, _("Only the planner or a supervisor can assign milestones."))
    milestone = _milestone_locked(milestone, actor)
    if owner is not None and not owner.is_active:
        raise ValidationFailed({"owner": [_("Choose an active user.")]})
    previous = milestone.owner_id
    milestone.owner = owner
    milestone.version += 1
    milestone.save(update_fields=["owner", "version", "updated_at"])
    order_event_record(
        order=milestone.plan.order,
        type=OrderEvent.Type.UPDATED,
        actor=actor,
        data={
            "milestone": milestone.pk,
            "name": milestone.name,
            "owner": owner.pk if owner else None,
            "previous_owner": previous,
        },
    )
    return milestone


# --- progress records ---------------------------------------------------------------------------------


def photo_check(upload: UploadedFile, field: str = "photos") -> tuple[str, int, int]:
    """Size ≤ 8 MB and a real JPEG/PNG/WebP image (decoded by Pillow, not trusted by its name)."""
    from PIL import Image

    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed({field: [_("%(name)s is larger than 8 MB.") % {"name": upload.name}]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise ValueError("too many pixels")
            image.verify()
    except Exception:  # Pillow raises many kinds for a file that is not a valid image
        raise ValidationFailed(
            {field: [_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": upload.name}]}
        ) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationFailed(
            {field: [_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": upload.name}]}
        )
    return image_format, width, height


def _photos_save(
    record: ProgressRecord, uploads: list[UploadedFile], checked: list[tuple[str, int, int]]
) -> list[ProgressPhoto]:
    saved = []
    for upload, (image_format, width, height) in zip(uploads, checked, strict=True):
        photo = ProgressPhoto(
            record=record,
            original_name=(upload.name or "")[-200:],
            image_format=image_format,
            size=upload.size,
            width=width,
            height=height,
        )
        photo.file.save(upload.name or "photo", upload, save=False)
        photo.save()
        saved.append(photo)
    return saved


def _quantity_ceiling(order: Order) -> Decimal:
    tolerance = order.lines.aggregate(m=Max("tolerance_percent"))["m"] or Decimal("0")
    return (order.total_quantity * (Decimal("100") + tolerance) / Decimal("100")).quantize(Decimal("0.001"))


@transaction.atomic
def progress_record_create(
    *,
    order: Order,
    actor: User,
    stage: str,
    quantity_done: Any,
    state: str = ProgressState.NORMAL,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    now: dt.datetime | None = None,
) -> ProgressRecord:
    """A follow-up on the shop floor (跟进记录): stage, quantity done so far at the stage, state, photos.
    The working day and the slot (morning / afternoon) come from the time it is recorded."""
    _ensure_can_write(actor)
    _ensure_role(actor, RECORD_ROLES, _("Only the merchandiser or their supervisor records progress."))
    order = _order_locked(order, actor)
    if order.status not in PRODUCTION_STATUSES:
        raise TransitionError(_("Progress is recorded for an order in production."), code="not_in_production")
    photos = list(photos or [])
    errors = FieldErrors()
    stage = parse_choice(stage, "stage", errors, ProgressStage)
    state = parse_choice(state, "state", errors, ProgressState, default=ProgressState.NORMAL)
    ceiling = _quantity_ceiling(order)
    quantity = parse_decimal(
        quantity_done, "quantity_done", errors, places=3, minimum=Decimal("0"), maximum=ceiling
    )
    note = parse_text(note, "note", errors, max_length=2000)
    if state and state != ProgressState.NORMAL and not note:
        errors.add("note", _("Say what is behind or what the quality problem is."))
    if len(photos) > MAX_PHOTOS:
        errors.add("photos", _("At most %(n)d photos per record.") % {"n": MAX_PHOTOS})
    errors.raise_if_any()
    checked = [photo_check(upload) for upload in photos]  # before anything is written, files included
    moment = _now(now)
    policy = policy_for(timezone.localdate(moment))
    work_date, slot = slot_of(policy, moment)
    record = ProgressRecord.objects.create(
        order=order,
        recorded_by=actor,
        recorded_at=moment,
        work_date=work_date,
        slot=slot,
        stage=stage,
        quantity_done=quantity,
        state=state,
        note=note,
    )
    saved = _photos_save(record, photos, checked)
    order_event_record(
        order=order,
        type=OrderEvent.Type.PROGRESS_RECORDED,
        actor=actor,
        note=note,
        data={
            "record": record.pk,
            "stage": stage,
            "quantity_done": str(quantity),
            "state": state,
            "work_date": work_date.isoformat(),
            "slot": slot,
            "photos": len(saved),
        },
    )
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk], now=moment)
    return record


@transaction.atomic
def progress_photos_add(
    *, record: ProgressRecord, actor: User, photos: list[UploadedFile]
) -> list[ProgressPhoto]:
    _ensure_can_write(actor)
    _ensure_role(actor, RECORD_ROLES, _("Only the merchandiser or their supervisor records progress."))
    order = _order_locked(record.order_id, actor)
    record = ProgressRecord.objects.select_for_update().get(pk=record.pk, order=order)
    if not photos:
        raise ValidationFailed({"photos": [_("Choose at least one photo.")]})
    if record.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("At most %(n)d photos per record.") % {"n": MAX_PHOTOS}]})
    checked = [photo_check(upload) for upload in photos]
    return _photos_save(record, photos, checked)


@transaction.atomic
def shipment_confirm(
    *,
    order: Order,
    actor: User,
    quantity_shipped: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> ShipmentConfirmation:
    """End of the day: what left today for this order (0 = nothing). A second confirmation corrects it."""
    _ensure_can_write(actor)
    _ensure_role(actor, RECORD_ROLES, _("Only the merchandiser or their supervisor confirms shipments."))
    order = _order_locked(order, actor)
    if order.status not in SHIPPING_STATUSES:
        raise TransitionError(
            _("Shipments are confirmed for an order in production or shipping."), code="not_shipping"
        )
    errors = FieldErrors()
    quantity = parse_decimal(
        quantity_shipped,
        "quantity_shipped",
        errors,
        places=3,
        minimum=Decimal("0"),
        maximum=_quantity_ceiling(order),
    )
    note = parse_text(note, "note", errors, max_length=300)
    errors.raise_if_any()
    moment = _now(now)
    today = timezone.localdate(moment)
    confirmation, created = ShipmentConfirmation.objects.update_or_create(
        order=order,
        work_date=today,
        defaults={"quantity_shipped": quantity, "note": note, "confirmed_by": actor, "confirmed_at": moment},
    )
    order_event_record(
        order=order,
        type=OrderEvent.Type.SHIPMENT_CONFIRMED,
        actor=actor,
        note=note,
        data={"date": today.isoformat(), "quantity_shipped": str(quantity), "correction": not created},
    )
    return confirmation


# --- exceptions ---------------------------------------------------------------------------------------


def general_managers() -> list[User]:
    managers = list(User.objects.filter(is_active=True, groups__name=R.GENERAL_MANAGER).distinct())
    return managers or list(User.objects.filter(is_active=True, is_superuser=True))


def escalation_recipients(
    *, exception: FollowupException, level: int, managers: list[User] | None = None
) -> list[User]:
    """Level 2: the merchandiser's supervisor (the general manager if they have none); level 3: the
    general manager(s)."""
    if level == 2:
        supervisor = exception.order.merchandiser.supervisor
        if supervisor is not None and supervisor.is_active:
            return [supervisor]
    if level >= 2:
        return managers if managers is not None else general_managers()
    return [exception.owner, exception.order.merchandiser]


def _exception_locked(exception: FollowupException | int, actor: User) -> FollowupException:
    pk = exception if isinstance(exception, int) else exception.pk
    row = FollowupException.objects.filter(pk=pk).values("order_id").first()
    if row is None or not order_visible_list(user=actor).filter(pk=row["order_id"]).exists():
        raise NotFoundError(_("Exception not found."))
    return (
        FollowupException.objects.select_for_update(of=("self",))
        .select_related(
            "order__merchandiser__supervisor", "order__salesperson", "order__customer__salesperson", "owner"
        )
        .get(pk=pk)
    )


def _exception_event(
    exception: FollowupException,
    event_type: str,
    actor: User | None,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    return order_event_record(
        order=exception.order,
        type=event_type,
        actor=actor,
        note=note,
        data={
            "exception": exception.pk,
            "number": exception.number,
            "level": exception.level,
            **(data or {}),
        },
    )


def _exception_link(exception: FollowupException) -> str:
    return reverse("followup:exception_detail", args=[exception.pk])


@transaction.atomic
def exception_raise(
    *,
    order: Order,
    actor: User,
    type: str,
    title: str,
    severity: str = Severity.MEDIUM,
    description: str = "",
    impact_days: Any = 0,
    owner: User | None = None,
    now: dt.datetime | None = None,
) -> FollowupException:
    """Register an exception at level 1. A customer-caused one is reported to the salesperson (通报业务员)."""
    _ensure_can_write(actor)
    _ensure_role(actor, RAISE_ROLES, _("Your role may not raise exceptions."))
    order = _order_locked(order, actor)
    if order.status not in EXCEPTION_ORDER_STATUSES:
        raise TransitionError(
            _("Exceptions are raised on orders between review and delivery."), code="order_not_open"
        )
    errors = FieldErrors()
    type = parse_choice(type, "type", errors, ExceptionType)
    severity = parse_choice(severity, "severity", errors, Severity, default=Severity.MEDIUM)
    title = parse_text(title, "title", errors, required=True, max_length=200)
    description = parse_text(description, "description", errors, max_length=4000)
    impact = parse_int(impact_days, "impact_days", errors, required=False) or 0
    if impact > 365:
        errors.add("impact_days", _("At most 365 working days."))
    if owner is not None and not owner.is_active:
        errors.add("owner", _("Choose an active user."))
    errors.raise_if_any()
    moment = _now(now)
    exception = FollowupException.objects.create(
        number=document_number_next(series="EX", year=timezone.localdate(moment).year),
        order=order,
        type=type,
        severity=severity,
        title=title,
        description=description,
        impact_days=impact,
        owner=owner or order.merchandiser,
        level=1,
        status=ExceptionStatus.OPEN,
        raised_by=actor,
        raised_at=moment,
        escalated_at=moment,
    )
    _exception_event(
        exception,
        OrderEvent.Type.EXCEPTION_RAISED,
        actor,
        note=title,
        data={"type": type, "severity": severity, "impact_days": impact, "owner": exception.owner_id},
    )
    link = _exception_link(exception)
    notice_send(
        recipients=[r for r in (exception.owner, order.merchandiser) if r.pk != actor.pk],
        kind="exception_raised",
        title=_("Exception %(number)s on %(order)s: %(title)s")
        % {"number": exception.number, "order": order.number, "title": title},
        body=description,
        link=link,
        dedupe_key=f"exception:{exception.pk}:raised",
        order_id=order.pk,
    )
    if type == ExceptionType.CUSTOMER:
        _customer_notice(exception, actor)
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk], now=moment)
    return exception


def _customer_notice(exception: FollowupException, actor: User | None) -> None:
    """Customer-caused: the salesperson is told (通报业务员或客户), and the notice is on the timeline."""
    order = exception.order
    salesperson = order.salesperson or order.customer.salesperson
    sent = notice_send(
        recipients=[salesperson],
        kind="exception_customer",
        title=_("Customer-caused exception on %(order)s (%(customer)s): %(title)s")
        % {"order": order.number, "customer": order.customer.name, "title": exception.title},
        body=_("Impact on the delivery date: %(days)d working day(s). Please inform the customer.")
        % {"days": exception.impact_days}
        + ("\n" + exception.description if exception.description else ""),
        link=_exception_link(exception),
        dedupe_key=f"exception:{exception.pk}:customer",
        order_id=order.pk,
    )
    _exception_event(
        exception,
        OrderEvent.Type.EXCEPTION_NOTICE,
        actor,
        note=_("Salesperson notified: %(names)s") % {"names": ", ".join(str(u) for u in sent)}
        if sent
        else _("No salesperson on the order or customer: tell the customer contact directly."),
        data={"recipients": [u.pk for u in sent], "notice": "customer"},
    )


def _escalate(
    exception: FollowupException,
    actor: User | None,
    *,
    note: str,
    moment: dt.datetime,
    managers: list[User] | None = None,
) -> FollowupException:
    source = exception.level
    target = source + 1
    updated = FollowupException.objects.filter(
        pk=exception.pk, level=source, status=ExceptionStatus.OPEN
    ).update(level=target, escalated_at=moment, version=exception.version + 1, updated_at=moment)
    if not updated:  # someone else escalated or resolved it first
        return exception
    exception.level, exception.escalated_at, exception.version = target, moment, exception.version + 1
    recipients = escalation_recipients(exception=exception, level=target, managers=managers)
    order = exception.order
    sent = notice_send(
        recipients=recipients,
        kind="exception_escalated",
        title=_("Level %(level)d exception %(number)s on %(order)s: %(title)s")
        % {"level": target, "number": exception.number, "order": order.number, "title": exception.title},
        body=(
            _("Unresolved past the level %(level)d time limit.") % {"level": source}
            if actor is None
            else _("Escalated by %(who)s.") % {"who": actor}
        )
        + (f"\n{note}" if note else ""),
        link=_exception_link(exception),
        dedupe_key=f"exception:{exception.pk}:level:{target}",
        order_id=order.pk,
    )
    order_event_record(
        order=order,
        type=OrderEvent.Type.EXCEPTION_ESCALATED,
        actor=actor,
        from_status=f"L{source}",
        to_status=f"L{target}",
        note=note,
        data={
            "exception": exception.pk,
            "number": exception.number,
            "level": target,
            "auto": actor is None,
            "recipients": [u.pk for u in sent],
        },
    )
    return exception


@transaction.atomic
def exception_escalate(
    *, exception: FollowupException, actor: User, note: str = "", now: dt.datetime | None = None
) -> FollowupException:
    """Escalate by hand to the next level (2: supervisor, 3: general manager)."""
    _ensure_can_write(actor)
    exception = _exception_locked(exception, actor)
    transition_check(EXCEPTION_TRANSITIONS, "escalate", exception.status, set(actor.roles))
    if exception.level >= 3:
        raise TransitionError(_("This exception is already with the general manager."), code="top_level")
    note = parse_text(note, "note", FieldErrors(), max_length=1000)
    return _escalate(exception, actor, note=note, moment=_now(now))


@transaction.atomic
def exception_resolve(
    *, exception: FollowupException, actor: User, resolution: str, now: dt.datetime | None = None
) -> FollowupException:
    _ensure_can_write(actor)
    exception = _exception_locked(exception, actor)
    transition_check(EXCEPTION_TRANSITIONS, "resolve", exception.status, set(actor.roles))
    errors = FieldErrors()
    resolution = parse_text(resolution, "resolution", errors, required=True, max_length=4000)
    errors.raise_if_any()
    moment = _now(now)
    exception.status, exception.resolution = ExceptionStatus.RESOLVED, resolution
    exception.resolved_at, exception.resolved_by = moment, actor
    exception.version += 1
    exception.save()
    _exception_event(
        exception,
        OrderEvent.Type.EXCEPTION_RESOLVED,
        actor,
        note=resolution,
    )
    order = exception.order
    told = [exception.owner, order.merchandiser]
    if exception.level >= 2:
        told += escalation_recipients(exception=exception, level=exception.level)
    if exception.type == ExceptionType.CUSTOMER:
        told.append(order.salesperson or order.customer.salesperson)
    notice_send(
        recipients=[u for u in told if u is not None and u.pk != actor.pk],
        kind="exception_resolved",
        title=_("Exception %(number)s on %(order)s resolved")
        % {"number": exception.number, "order": order.number},
        body=resolution,
        link=_exception_link(exception),
        dedupe_key=f"exception:{exception.pk}:resolved:{exception.version}",
        order_id=order.pk,
    )
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk], now=moment)
    return exception


@transaction.atomic
def exception_reopen(
    *, exception: FollowupException, actor: User, reason: str, now: dt.datetime | None = None
) -> FollowupException:
    """The resolution did not hold: open again; the level's clock starts again."""
    _ensure_can_write(actor)
    exception = _exception_locked(exception, actor)
    transition_check(EXCEPTION_TRANSITIONS, "reopen", exception.status, set(actor.roles))
    errors = FieldErrors()
    reason = parse_text(reason, "reason", errors, required=True, max_length=1000)
    errors.raise_if_any()
    moment = _now(now)
    exception.status, exception.escalated_at = ExceptionStatus.OPEN, moment
    exception.resolved_at, exception.resolved_by = None, None
    exception.version += 1
    exception.save()
    _exception_event(exception, OrderEvent.Type.EXCEPTION_REOPENED, actor, note=reason)
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[exception.order_id], now=moment)
    return exception


@transaction.atomic
def exception_close(
    *, exception: FollowupException, actor: User, note: str = "", now: dt.datetime | None = None
) -> FollowupException:
    """A supervisor or the general manager accepts the resolution."""
    _ensure_can_write(actor)
    exception = _exception_locked(exception, actor)
    transition_check(EXCEPTION_TRANSITIONS, "close", exception.status, set(actor.roles))
    exception.status, exception.closed_at = ExceptionStatus.CLOSED, _now(now)
    exception.version += 1
    exception.save()
    _exception_event(
        exception,
        OrderEvent.Type.EXCEPTION_CLOSED,
        actor,
        note=parse_text(note, "note", FieldErrors(), max_length=1000),
    )
    return exception


def exceptions_escalate_due(*, now: dt.datetime) -> list[FollowupException]:
    """The scan's step: every open exception past its level's time limit goes up one level."""
    policy = policy_for(timezone.localdate(now))
    limits = {1: policy.escalation_l1_hours, 2: policy.escalation_l2_hours}
    escalated = []
    managers: list[User] | None = None
    with transaction.atomic():
        for level, hours in limits.items():
            due = list(
                FollowupException.objects.select_for_update(of=("self",))
                .select_related("order__merchandiser__supervisor", "order__customer", "owner")
                .filter(
                    status=ExceptionStatus.OPEN,
                    level=level,
                    escalated_at__lte=now - dt.timedelta(hours=hours),
                )
                .order_by("escalated_at", "id")
            )
            if due and managers is None:
                managers = general_managers()
            for exception in due:
                escalated.append(_escalate(exception, None, note="", moment=now, managers=managers))
    return escalated


# --- daily log and weekly report -----------------------------------------------------------------------


@transaction.atomic
def daily_log_save(*, user: User, date: dt.date, notes: str, plan_notes: str = "") -> Any:
    from gendan.followup.models import DailyLog

    _ensure_can_write(user)
    errors = FieldErrors()
    notes = parse_text(notes, "notes", errors, max_length=4000)
    plan_notes = parse_text(plan_notes, "plan_notes", errors, max_length=4000)
    if date > timezone.localdate() + dt.timedelta(days=1):
        errors.add("date", _("Write the log on the day, not ahead."))
    errors.raise_if_any()
    log, _created = DailyLog.objects.update_or_create(
        user=user, date=date, defaults={"notes": notes, "plan_notes": plan_notes}
    )
    return log


@transaction.atomic
def weekly_report_save(
    *, user: User, week_start: dt.date, notes: str, submit: bool = False, now: dt.datetime | None = None
) -> WeeklyReport:
    """Save the week's summary; `submit` sends it to the supervisor (who sees it in their inbox)."""
    _ensure_can_write(user)
    errors = FieldErrors()
    notes = parse_text(notes, "notes", errors, max_length=8000)
    errors.raise_if_any()
    week_start = week_start - dt.timedelta(days=week_start.weekday())
    report, _created = WeeklyReport.objects.update_or_create(
        user=user, week_start=week_start, defaults={"notes": notes}
    )
    if submit:
        report.submitted_at = _now(now)
        report.save(update_fields=["submitted_at", "updated_at"])
        recipients = [user.supervisor] if user.supervisor_id else general_managers()
        notice_send(
            recipients=recipients,
            kind="weekly_report",
            title=_("Weekly report of %(user)s, week of %(week)s") % {"user": user, "week": week_start},
            body=notes[:500],
            link=reverse("followup:weekly") + f"?user={user.pk}&week={week_start.isoformat()}",
            dedupe_key=f"weekly:{user.pk}:{week_start.isoformat()}:{report.submitted_at.isoformat()}",
        )
    return report


def followup_on_order_transition(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """Registered in orders' ORDER_TRANSITION_HOOKS: an order closed short leaves no exception open (each
    is resolved with the closing reason, the people concerned told). Its open milestones need no write: a
    closed order is out of every T&A list, the scan and the risk projection (PLAN_STATUSES, RISK_STATUSES)."""
    if action != "close_short":
        return
    reason = (
        order.events.filter(type=OrderEvent.Type.TRANSITION).order_by("-pk").values_list("note", flat=True)
    )
    note = reason.first() or ""
    for exception in FollowupException.objects.filter(order=order, status=ExceptionStatus.OPEN).order_by(
        "pk"
    ):
        exception_resolve(
            exception=exception,
            actor=actor,
            resolution=_("Order closed short: %(reason)s") % {"reason": note},
        )


@transaction.atomic
def followup_owners_reassign(*, order_ids: Sequence[int], old: User, new: User) -> dict[str, int]:
    """A permanent reassignment (gendan.reassignments): the open milestones and open exceptions of these
    orders that `old` owned are `new`'s from now on. Returns the counts."""
    milestones = TaMilestone.objects.filter(
        plan__order__in=list(order_ids), owner=old, actual_date__isnull=True
    ).update(owner=new, updated_at=timezone.now())
    exceptions = FollowupException.objects.filter(
        order__in=list(order_ids), owner=old, status=ExceptionStatus.OPEN
    ).update(owner=new, updated_at=timezone.now())
    return {"milestones": milestones, "exceptions": exceptions}


def ta_plan_on_revised(
    *, order: Order, actor: User | None, revision: Any, changes: list[dict]
) -> list[TaMilestone]:
    """Registered in orders.revisions.ORDER_REVISED_HOOKS: when a change (gendan.changes) moves the order's
    due date, the milestones not yet done move by the same number of working days (a manual move the
    planner made is kept relative); done milestones stay. Each move is on the timeline. Returns the moved."""
    plan = TaPlan.objects.filter(order=order).first()
    new_due = order.promised_date or order.requested_date
    if plan is None or new_due == plan.promised_date:
        return []
    old_due = plan.promised_date
    calendar = WorkingCalendar.load(min(old_due, new_due).year - 1, max(old_due, new_due).year + 1)
    later = new_due > old_due
    shift = calendar.working_days_between(*sorted((old_due, new_due)))
    moved = []
    events = []
    for milestone in TaMilestone.objects.select_for_update().filter(plan=plan, actual_date__isnull=True):
        start = calendar.working_day_on_or_before(milestone.planned_date)
        new_date = calendar.add_working_days(start, shift if later else -shift)
        if new_date == milestone.planned_date:
            continue
        events.append(
            (
                order.pk,
                OrderEvent.Type.TA_MILESTONE_MOVED,
                actor.pk if actor else None,
                "",
                "",
                _("Order revised to R%(rev)s") % {"rev": order.revision},
                {
                    "milestone": milestone.pk,
                    "code": milestone.code,
                    "name": milestone.name,
                    "from": milestone.planned_date.isoformat(),
                    "to": new_date.isoformat(),
                    "after_promised": new_date > new_due,
                    "revision": order.revision,
                },
            )
        )
        milestone.planned_date = new_date
        milestone.version += 1
        milestone.updated_at = timezone.now()
        moved.append(milestone)
    if moved:
        TaMilestone.objects.bulk_update(moved, ["planned_date", "version", "updated_at"])
        events_write(events)
    plan.promised_date = new_due
    plan.save(update_fields=["promised_date", "updated_at"])
    from gendan.followup.risk import risk_refresh

    risk_refresh(order_ids=[order.pk])
    return moved
