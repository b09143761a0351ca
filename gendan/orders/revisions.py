"""Order revisions after review: a snapshot per revision, the field-level diff between two, and the one
write that turns an approved change (gendan.changes) into the next revision.

A snapshot is plain JSON (decimals as text, dates ISO) so revisions stay readable whatever the models
become. A diff is a list of entries:

- ``{"type": "header", "field": f, "before": b, "after": a}``
- ``{"type": "line", "line_no": n, "product": code, "field": f, "before": b, "after": a}``
- ``{"type": "line_added", "line_no": n, "product": code, "after": {line}}``
- ``{"type": "line_removed", "line_no": n, "product": code, "before": {line}}``
"""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, ConflictError
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderLineSize, OrderRevision
from gendan.orders.validation import LineData

# Header fields a revision may change, and their labels (the diff pages and PDFs print these).
HEADER_FIELDS = ("customer_po", "requested_date", "promised_date", "payment_terms", "requirements")
LINE_FIELDS = ("quantity", "sizes", "unit_price", "color", "spec", "tolerance_percent")
FIELD_LABELS = {
    "customer_po": gettext_lazy("customer PO number"),
    "requested_date": gettext_lazy("requested delivery date"),
    "promised_date": gettext_lazy("promised delivery date"),
    "payment_terms": gettext_lazy("payment terms"),
    "requirements": gettext_lazy("customer's detailed requirements"),
    "quantity": gettext_lazy("quantity"),
    "sizes": gettext_lazy("Size breakdown"),
    "unit_price": gettext_lazy("unit price"),
    "color": gettext_lazy("colour"),
    "spec": gettext_lazy("specification"),
    "tolerance_percent": gettext_lazy("over/short tolerance %"),
    "total_quantity": gettext_lazy("total quantity"),
    "total_amount": gettext_lazy("total amount"),
}


def _num(value: Decimal) -> str:
    """A decimal without trailing zeros (120.000 → 120, 12.5000 → 12.5)."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def sizes_text(pairs: Sequence[tuple[str, Any]]) -> str:
    return " ".join(f"{size}:{_num(Decimal(quantity))}" for size, quantity in pairs)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def order_snapshot(*, order: Order) -> dict[str, Any]:
    """The order's header fields and lines as JSON (read from the database)."""
    lines = []
    for line in order.lines.select_related("product").prefetch_related("sizes").order_by("line_no"):
        lines.append(
            {
                "id": line.pk,
                "line_no": line.line_no,
                "product": line.product.code,
                "product_name": line.product.name,
                "spec": line.spec,
                "color": line.color,
                "quantity": _num(line.quantity),
                "unit": line.unit,
                "unit_price": _num(line.unit_price),
                "amount": _num(line.amount),
                "tolerance_percent": _num(line.tolerance_percent),
                "sizes": sizes_text([(s.size, s.quantity) for s in line.sizes.all()]),
            }
        )
    return {
        "order": order.number,
        "revision": order.revision,
        "header": {
            "customer_po": order.customer_po,
            "requested_date": _date(order.requested_date),
            "promised_date": _date(order.promised_date),
            "payment_terms": order.payment_terms,
            "requirements": order.requirements,
            "total_quantity": _num(Decimal(order.total_quantity)),
            "total_amount": _num(Decimal(order.total_amount)),
            "currency": order.currency,
        },
        "lines": lines,
    }


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-level changes from one snapshot to another (lines matched by id; a new line has none yet, or
    a key of its own such as "new-1")."""
    changes: list[dict[str, Any]] = []
    for name in (*HEADER_FIELDS, "total_quantity", "total_amount"):
        old, new = before["header"].get(name, ""), after["header"].get(name, "")
        if old != new:
            changes.append({"type": "header", "field": name, "before": old, "after": new})
    old_lines = {line["id"]: line for line in before["lines"]}
    new_ids = {line.get("id") for line in after["lines"]}
    for line in after["lines"]:
        old = old_lines.get(line.get("id")) if line.get("id") is not None else None
        if old is None:
            changes.append(
                {"type": "line_added", "line_no": line["line_no"], "product": line["product"], "after": line}
            )
            continue
        for name in LINE_FIELDS:
            if old.get(name, "") != line.get(name, ""):
                changes.append(
                    {
                        "type": "line",
                        "line_no": old["line_no"],
                        "product": old["product"],
                        "field": name,
                        "before": old.get(name, ""),
                        "after": line.get(name, ""),
                    }
                )
    for old in before["lines"]:
        if old["id"] not in new_ids:
            changes.append(
                {"type": "line_removed", "line_no": old["line_no"], "product": old["product"], "before": old}
            )
    return changes


def change_text(change: dict[str, Any]) -> str:
    """One diff entry as a sentence for pages and PDFs (in the active language)."""
    kind = change["type"]
    if kind == "header":
        return _("%(field)s: %(before)s → %(after)s") % {
            "field": FIELD_LABELS.get(change["field"], change["field"]),
            "before": change["before"] or "—",
            "after": change["after"] or "—",
        }
    if kind == "line":
        return _("Line %(no)s %(product)s, %(field)s: %(before)s → %(after)s") % {
            "no": change["line_no"],
            "product": change["product"],
            "field": FIELD_LABELS.get(change["field"], change["field"]),
            "before": change["before"] or "—",
            "after": change["after"] or "—",
        }
    line = change.get("after") or change.get("before") or {}
    values = {
        "no": change["line_no"],
        "product": change["product"],
        "color": line.get("color") or "—",
        "quantity": line.get("quantity", ""),
        "unit": line.get("unit", ""),
        "price": line.get("unit_price", ""),
    }
    if kind == "line_added":
        return _("Line %(no)s added: %(product)s %(color)s, %(quantity)s %(unit)s at %(price)s") % values
    return _("Line %(no)s removed: %(product)s %(color)s, %(quantity)s %(unit)s") % values


def revision_current(*, order: Order) -> OrderRevision | None:
    """The order's latest revision row (None before the first change)."""
    if not order.revision:
        return None
    return order.revisions.filter(number=order.revision).first()


# Callables `hook(*, order, actor, revision, changes)` run inside order_revision_apply's transaction after the
# new revision is written (the T&A plan re-plans open milestones, materials follow the quantities, the
# capacity schedule is marked). Registered in AppConfig.ready() by apps that depend on orders.
ORDER_REVISED_HOOKS: list[Callable[..., object]] = []


class RevisionConflictError(ConflictError):
    code = "stale_revision"


@transaction.atomic
def order_revision_apply(
    *,
    order: Order,
    actor: User,
    base_revision: int,
    header: dict[str, Any],
    lines: Sequence[tuple[int | None, LineData]],
    source: str = "",
    reason: str = "",
    promise: Callable[[Order], object] | None = None,
) -> OrderRevision:
    """Write the next revision of a locked order: header fields (`header`: name → value, among
    HEADER_FIELDS but promised_date), lines (existing id or None for a new one, with the validated data;
    existing lines missing from `lines` are removed), totals; R0 first if this is the first change.
    `promise(order)` changes the promised date (gendan.orders.promises) inside this transaction.

    The caller has locked the order and checked scope, roles and bounds; `base_revision` must still be the
    order's revision (else 409, nothing changed)."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.revision != base_revision:
        raise RevisionConflictError(
            _(
                "The order was revised meanwhile (now R%(now)s, this change was raised against R%(base)s). "
                "Raise the change again on the current revision."
            )
            % {"now": order.revision, "base": base_revision},
            extra={"current_revision": order.revision},
        )
    before = order_snapshot(order=order)
    if order.revision == 0 and not order.revisions.filter(number=0).exists():
        OrderRevision.objects.create(order=order, number=0, snapshot=before, created_by=None)
    existing = {line.pk: line for line in order.lines.all()}
    keep = {pk for pk, _data in lines if pk is not None}
    removed = [line for pk, line in existing.items() if pk not in keep]
    for line in removed:
        try:
            with transaction.atomic():
                line.delete()
        except (ProtectedError, IntegrityError):
            raise ApplicationError(
                _("Line %(no)s has shipments, inspections or outsourcing on record and cannot be removed.")
                % {"no": line.line_no},
                code="line_in_use",
                extra={"fields": {"lines": [_("Keep the line (set its quantity instead).")]}},
            ) from None
    next_no = max((line.line_no for line in existing.values()), default=0) + 1
    total_quantity, total_amount = Decimal(0), Decimal(0)
    for pk, data in lines:
        if pk is not None:
            line = existing[pk]
        else:
            line = OrderLine(order=order, line_no=next_no, product=data.product)
            next_no += 1
        line.spec, line.color, line.unit = data.spec, data.color, data.unit
        line.quantity, line.unit_price, line.amount = data.quantity, data.unit_price, data.amount
        line.tolerance_percent = data.tolerance_percent
        line.save()
        OrderLineSize.objects.filter(line=line).delete()
        OrderLineSize.objects.bulk_create(
            OrderLineSize(line=line, size=size, quantity=quantity, position=position)
            for position, (size, quantity) in enumerate(data.sizes)
        )
        total_quantity += data.quantity
        total_amount += data.amount
    for name, value in header.items():
        if name not in HEADER_FIELDS or name == "promised_date":
            raise ValueError(f"not a revisable header field: {name}")
        setattr(order, name, value)
    order.total_quantity, order.total_amount = total_quantity, total_amount
    order.revision += 1
    order.version += 1
    order.save(update_fields=[*header, "total_quantity", "total_amount", "revision", "version", "updated_at"])
    if promise is not None:
        promise(order)
        order.refresh_from_db()
    after = order_snapshot(order=order)
    changes = snapshot_diff(before, after)
    revision = OrderRevision.objects.create(
        order=order,
        number=order.revision,
        snapshot=after,
        changes=changes,
        source=source,
        reason=reason,
        created_by=actor,
    )
    OrderEvent.objects.create(
        order=order,
        type=OrderEvent.Type.REVISED,
        actor=actor,
        note=reason,
        data={"revision": order.revision, "source": source, "changes": len(changes)},
    )
    for hook in ORDER_REVISED_HOOKS:
        hook(order=order, actor=actor, revision=revision, changes=changes)
    order.updated_at = timezone.now()
    return revision


def revision_print_lines(*, order: Order) -> tuple[str, list[str]]:
    """For the printed documents (business notice, review form), in Chinese whatever the UI language:
    ("第 N 次修订", the current revision's changes as sentences); ("", []) for an order never revised."""
    from django.utils import translation

    revision = revision_current(order=order)
    if revision is None:
        return "", []
    with translation.override("zh-hans"):
        lines = [change_text(change) for change in revision.changes]
    note = f"第 {revision.number} 次修订"
    if revision.source:
        note += f"（改单 {revision.source}，{revision.created_at.astimezone().date().isoformat()}）"
    return note, lines
