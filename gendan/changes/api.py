"""Change requests (改单) and order revisions through the API, with the same services and rules as the pages.

`/orders/{id}/change-requests` (list, the order in proposal shape, raise), `/orders/{id}/revisions` (list,
one with its snapshot and diff), `/change-requests` (mine to act on, or all in scope) and
`/change-requests/{id}` with `/items/{item}/sign` and `/actions/{approve|reject|cancel}`.
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gendan.changes.models import ChangeCause, ChangeRequest, ChangeStatus
from gendan.changes.routing import KIND_LABELS
from gendan.changes.selectors import (
    change_request_get,
    change_request_visible_list,
    change_requests_awaiting,
    change_requests_for_order,
)
from gendan.changes.services import (
    change_request_approve,
    change_request_cancel,
    change_request_raise,
    change_request_reject,
    change_request_sign,
    proposal_initial,
)
from gendan.core.errors import NotFoundError
from gendan.core.schemas import (
    ERRORS,
    MAX_ID,
    DateIn,
    IdOrCode,
    InputSchema,
    PageOut,
    PageParams,
    UserRef,
    page_of,
)
from gendan.orders.api import SizeBreakdown
from gendan.orders.revisions import change_text, order_snapshot
from gendan.orders.selectors import order_get
from gendan.reviews.models import ReviewItem
from gendan.reviews.selectors import department_may_sign

router = Router(tags=["change requests"])
order_router = Router(tags=["change requests"])

PathId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


# ---------------------------------------------------------------------------------------------- output


class ChangeEntryOut(Schema):
    type: str = Field(..., description="header, line, line_added or line_removed")
    field: str | None = None
    line_no: int | None = None
    product: str | None = None
    before: Any = None
    after: Any = None
    text: str = Field(..., description="The change as a sentence, in your language")


def _changes(changes: list[dict]) -> list[dict]:
    return [
        {
            "type": c["type"],
            "field": c.get("field"),
            "line_no": c.get("line_no"),
            "product": c.get("product"),
            "before": c.get("before"),
            "after": c.get("after"),
            "text": change_text(c),
        }
        for c in changes
    ]


class ChangeItemOut(Schema):
    id: int
    department: str
    department_label: str
    result: str
    comment: str
    signer: UserRef | None
    signed_at: dt.datetime | None
    may_sign: bool = Field(False, description="Whether you may sign this item")

    @staticmethod
    def resolve_department_label(obj) -> str:
        return str(obj.get_department_display())

    @staticmethod
    def resolve_may_sign(obj, context) -> bool:
        return obj.change_request.status == ChangeStatus.OPEN and department_may_sign(
            user=context["request"].auth, department=obj.department
        )


class ChangeRequestSummaryOut(Schema):
    id: int
    number: str
    order: int = Field(..., alias="order_id")
    order_number: str
    status: str
    status_label: str
    cause: str
    base_revision: int
    applied_revision: int | None
    raised_by: UserRef
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ChangeRequestOut(ChangeRequestSummaryOut):
    reason: str
    proposed: dict = Field(..., description="The proposed order: header fields and lines (line id or null)")
    changes: list[ChangeEntryOut]
    touches: list[str] = Field(..., description="What the change touches (routing kinds)")
    touches_labels: list[str]
    old_amount: Decimal
    new_amount: Decimal
    feasible_date: dt.date | None
    feasible_basis: dict
    credit_ok: bool
    needs_gm: bool = Field(..., description="The general manager concludes (amount change above the policy)")
    conclusion: str
    concluded_by: UserRef | None
    concluded_at: dt.datetime | None
    items: list[ChangeItemOut]

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return _changes(obj.changes)

    @staticmethod
    def resolve_touches_labels(obj) -> list[str]:
        return [str(KIND_LABELS.get(k, k)) for k in obj.touches]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class ChangeRequestPage(PageOut):
    items: list[ChangeRequestSummaryOut]


class OrderRevisionSummaryOut(Schema):
    number: int
    source: str = Field(..., description="The change request that made it (empty for R0)")
    reason: str
    created_by: UserRef | None
    created_at: dt.datetime
    changes: list[ChangeEntryOut]

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return _changes(obj["changes"] if isinstance(obj, dict) else obj.changes)


class OrderRevisionOut(OrderRevisionSummaryOut):
    snapshot: dict = Field(..., description="The order at this revision: header and lines")


# ----------------------------------------------------------------------------------------------- input


class ProposedLineIn(InputSchema):
    line: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | None = Field(
        None, description="The order line's id to change it; null for a new line"
    )
    product: IdOrCode = Field(..., description="Product / style code or id (an existing line keeps its own)")
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    spec: str | None = Field(None, max_length=200)
    color: str | None = Field(None, max_length=50)
    tolerance_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    sizes: SizeBreakdown = None


class ChangeRequestIn(InputSchema):
    customer_po: str | None = Field(None, min_length=1, max_length=50, description="Omitted: unchanged")
    requested_date: DateIn | None = None
    promised_date: DateIn | None = Field(None, description="The new agreed delivery date; omitted: unchanged")
    payment_terms: str | None = Field(None, max_length=100)
    requirements: str | None = Field(None, max_length=5000)
    lines: list[ProposedLineIn] = Field(
        ..., min_length=1, max_length=500, description="Every line the order is to have; lines left out go"
    )
    reason: str = Field(..., min_length=1, max_length=2000)
    cause: ChangeCause = Field(..., description="customer or internal")


class ChangeProposalOut(Schema):
    customer_po: str
    requested_date: str
    promised_date: str
    payment_terms: str
    requirements: str
    lines: list[dict]


class ChangeSignIn(InputSchema):
    result: ReviewItem.Result = Field(..., description="pass, conditional or fail")
    comment: str = Field("", max_length=2000, description="Required unless the result is pass")


class ChangeAction(StrEnum):
    approve = "approve"
    reject = "reject"
    cancel = "cancel"


class ChangeActionIn(InputSchema):
    note: str = Field("", max_length=2000, description="Conclusion; the reason when rejecting (required)")
    version: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | None = Field(
        None, description="The change request's version you read; a stale one is refused (409)"
    )


class ChangeRequestFilters(PageParams):
    status: ChangeStatus | None = None
    awaiting: bool = Field(False, description="Only those waiting for me (to sign or to conclude)")


# ------------------------------------------------------------------------------------------- endpoints


def _detail(request, pk: int) -> ChangeRequest:
    return change_request_get(user=request.auth, pk=pk)


@order_router.get(
    "/{order_id}/change-requests",
    response={200: list[ChangeRequestSummaryOut], **ERRORS},
    summary="Change requests of an order",
)
def order_change_requests(request, order_id: PathId):
    order = order_get(user=request.auth, pk=order_id)
    return list(change_requests_for_order(order=order))


@order_router.get(
    "/{order_id}/change-requests/proposal",
    response={200: ChangeProposalOut, **ERRORS},
    summary="The order as a change request starts from",
)
def order_change_proposal(request, order_id: PathId):
    """The order's current header fields and lines in the shape a change request takes (edit and post)."""
    return proposal_initial(order=order_get(user=request.auth, pk=order_id))


@order_router.post(
    "/{order_id}/change-requests",
    response={201: ChangeRequestOut, **ERRORS},
    summary="Raise a change request (改单)",
)
def order_change_raise(request, order_id: PathId, payload: ChangeRequestIn):
    """From approved up to partially shipped (409 otherwise; on hold: resume first). The proposal is checked
    with the intake rules; a line below what was already shipped, inspected or outsourced is refused with
    `lines.N.quantity`. The departments the change touches are asked to re-sign."""
    order = order_get(user=request.auth, pk=order_id)
    data = payload.model_dump(mode="json", exclude={"reason", "cause"}, exclude_none=True)
    data["lines"] = [{**line, "line": line.get("line")} for line in payload.model_dump(mode="json")["lines"]]
    change_request = change_request_raise(
        order=order, actor=request.auth, data=data, reason=payload.reason, cause=payload.cause.value
    )
    return Status(201, _detail(request, change_request.pk))


@order_router.get(
    "/{order_id}/revisions",
    response={200: list[OrderRevisionSummaryOut], **ERRORS},
    summary="Revisions of an order",
)
def order_revision_list(request, order_id: PathId):
    """R0 is the order as reviewed (kept when the first change is applied); each later one lists its changes
    against the one before."""
    order = order_get(user=request.auth, pk=order_id)
    return list(order.revisions.select_related("created_by").order_by("number"))


@order_router.get(
    "/{order_id}/revisions/{number}",
    response={200: OrderRevisionOut, **ERRORS},
    summary="One revision and its diff",
)
def order_revision_detail(request, order_id: PathId, number: Annotated[int, Path(..., ge=0, le=32767)]):
    order = order_get(user=request.auth, pk=order_id)
    revision = order.revisions.select_related("created_by").filter(number=number).first()
    if revision is None and number == 0 == order.revision:  # never revised: R0 is the order as it is
        return {
            "number": 0,
            "source": "",
            "reason": "",
            "created_by": None,
            "created_at": order.updated_at,
            "changes": [],
            "snapshot": order_snapshot(order=order),
        }
    if revision is None:
        raise NotFoundError(_("Revision not found."))
    return revision


@router.get("", response={200: ChangeRequestPage, **ERRORS}, summary="Change requests I may see")
def change_request_list_view(request, filters: Query[ChangeRequestFilters]):
    if filters.awaiting:
        qs = change_requests_awaiting(user=request.auth)
    else:
        qs = change_request_visible_list(user=request.auth).order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status.value)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/{cr_id}", response={200: ChangeRequestOut, **ERRORS}, summary="One change request")
def change_request_detail_view(request, cr_id: PathId):
    return _detail(request, cr_id)


@router.post(
    "/{cr_id}/items/{item_id}/sign",
    response={200: ChangeRequestOut, **ERRORS},
    summary="Re-sign for a department",
)
def change_request_sign_view(request, cr_id: PathId, item_id: PathId, payload: ChangeSignIn):
    """Only the item's department signs it (403). Conditional and fail need a comment; finance cannot pass
    a change that takes the customer over the credit limit."""
    change_request = _detail(request, cr_id)
    item = next((i for i in change_request.items.all() if i.pk == item_id), None)
    if item is None:
        raise NotFoundError(_("Change request not found."))
    change_request_sign(item=item, actor=request.auth, result=payload.result.value, comment=payload.comment)
    return _detail(request, cr_id)


@router.post(
    "/{cr_id}/actions/{action}",
    response={200: ChangeRequestOut, **ERRORS},
    summary="Approve, reject or withdraw",
)
def change_request_action_view(request, cr_id: PathId, action: ChangeAction, payload: ChangeActionIn):
    """approve (supervisor; the general manager when `needs_gm`): every department signed, none failed; the
    order becomes the next revision in one transaction. A second request raised against the same revision
    is then refused (409 `stale_revision`). reject (reason in `note`): nothing changes. cancel: who raised it
    or a supervisor withdraws it."""
    change_request = _detail(request, cr_id)
    if action == ChangeAction.approve:
        change_request_approve(
            change_request=change_request,
            actor=request.auth,
            conclusion=payload.note,
            version=payload.version,
        )
    elif action == ChangeAction.reject:
        change_request_reject(
            change_request=change_request, actor=request.auth, reason=payload.note, version=payload.version
        )
    else:
        change_request_cancel(
            change_request=change_request, actor=request.auth, reason=payload.note, version=payload.version
        )
    return _detail(request, cr_id)
