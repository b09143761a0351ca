"""Writes on return visits: scheduled when an order is delivered (by gendan.shipping), recorded by the
merchandiser with four scores of 1–5."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import ConflictError, NotFoundError, PermissionDeniedError, TransitionError
from gendan.core.parsing import FieldErrors, blank, parse_choice, parse_date, parse_int, parse_text
from gendan.orders.models import Order, OrderEvent
from gendan.orders.services import order_event_record
from gendan.visits.models import (
    SCORE_FIELDS,
    VISIT_DUE_DAYS_AFTER_DELIVERY,
    ReturnVisit,
    VisitMethod,
    VisitStatus,
)
from gendan.visits.selectors import visit_visible_list


@transaction.atomic
def visit_schedule(*, order: Order, delivered_on: dt.date) -> ReturnVisit:
    """The order was delivered: its return visit falls due (once per order)."""
    visit, _created = ReturnVisit.objects.get_or_create(
        order=order,
        defaults={
            "customer_id": order.customer_id,
            "merchandiser_id": order.merchandiser_id,
            "delivered_on": delivered_on,
            "due_on": delivered_on + dt.timedelta(days=VISIT_DUE_DAYS_AFTER_DELIVERY),
        },
    )
    return visit


@transaction.atomic
def visit_record(
    *, visit: ReturnVisit, actor: User, data: Mapping[str, Any], version: int | None = None
) -> ReturnVisit:
    if (
        not actor.is_active
        or actor.is_read_only
        or not actor.has_role(R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN)
    ):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")
    current = ReturnVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if current is None or not visit_visible_list(user=actor).filter(pk=visit.pk).exists():
        raise NotFoundError(_("Return visit not found."))
    if version is not None and version != current.version:
        raise ConflictError(_("Someone else changed this visit. Reload and try again."))
    if current.status == VisitStatus.DONE:
        raise TransitionError(_("This return visit is already recorded."), code="visit_done")
    errors = FieldErrors()
    visited_on = parse_date(data.get("visited_on"), "visited_on", errors)
    if visited_on and visited_on < current.delivered_on:
        errors.add(
            "visited_on", _("The visit cannot be before the delivery (%(d)s).") % {"d": current.delivered_on}
        )
    if visited_on and visited_on > timezone.localdate():
        errors.add("visited_on", _("The date cannot be in the future."))
    method = parse_choice(data.get("method"), "method", errors, VisitMethod, default=VisitMethod.PHONE)
    contact = parse_text(data.get("contact_person"), "contact_person", errors, max_length=100)
    comments = parse_text(data.get("comments"), "comments", errors, max_length=5000)
    scores = {}
    for name in SCORE_FIELDS:
        value = data.get(name)
        score = None if blank(value) else parse_int(value, name, errors)
        if blank(value) or score is not None and not 1 <= score <= 5:
            errors.add(name, _("Give a score from 1 to 5."))
        scores[name] = score
    if any(s is not None and s <= 2 for s in scores.values()) and not comments:
        errors.add("comments", _("A score of 2 or less needs a comment: what was wrong?"))
    errors.raise_if_any()
    current.status, current.visited_on, current.method = VisitStatus.DONE, visited_on, method
    current.contact_person, current.comments, current.recorded_by = contact, comments, actor
    for name, score in scores.items():
        setattr(current, name, score)
    current.version += 1
    current.save()
    order_event_record(
        order=current.order,
        type=OrderEvent.Type.RETURN_VISIT_DONE,
        actor=actor,
        note=comments[:300],
        data={name: scores[name] for name in SCORE_FIELDS},
    )
    return current
