"""Orders: scoped list and detail, intake and edit (§2.2 validation), timeline, status actions, planner queue.

Handlers are thin: reads go through the scoped selectors, writes through the services, and every refusal is
an ApplicationError that the API answers as {"message", "code", "extra"} with its 4xx.
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from ninja import Body, Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator, WithJsonSchema

from gendan.catalog.models import Industry
from gendan.core.errors import NotFoundError
from gendan.core.schemas import (
    ERRORS,
    MAX_ID,
    DateIn,
    Id,
    IdOrCode,
    InputSchema,
    PageOut,
    PageParams,
    Ref,
    StrictId,
    UserRef,
    page_of,
)
from gendan.orders import services
from gendan.orders.actions import ORDER_ACTIONS, ActionInput, order_action_run
from gendan.orders.models import BusinessType, Incoterm, Order, OrderEvent, OrderStatus, SourceDocument
from gendan.orders.promises import order_promise_history, promise_dates_summary
from gendan.orders.selectors import (
    order_available_actions,
    order_get,
    order_list,
    order_timeline,
    planner_queue,
)
from gendan.parties.models import Currency

router = Router(tags=["orders"])

OrderId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


# ---------------------------------------------------------------------------------------------- output


class SizeOut(Schema):
    size: str
    quantity: Decimal


class LineOut(Schema):
    line_no: int
    product: Ref
    spec: str
    color: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    tolerance_percent: Decimal
    sizes: list[SizeOut]


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    customer: Ref
    customer_po: str
    business_type: str
    source_document: str
    original_pending: bool
    order_date: dt.date
    requested_date: dt.date
    promised_date: dt.date | None
    due_date: dt.date
    is_date_risk: bool
    currency: str
    total_quantity: Decimal
    total_amount: Decimal
    merchandiser: UserRef
    salesperson: UserRef | None
    version: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class PromiseOut(Schema):
    promised_date: dt.date
    previous_date: dt.date | None
    cause: str = Field(
        ..., description="initial (promised at review), customer (customer's cause) or internal (our cause)"
    )
    cause_label: str
    reason: str
    agreed_by: UserRef
    agreed_at: dt.datetime
    source: str = Field(..., description='"review", or the change request number that agreed the date')

    @staticmethod
    def resolve_cause_label(obj) -> str:
        return str(obj.get_cause_display())


def _promise_history(order: Order) -> list:
    """The order's agreed dates, read once per response (both promise fields use them)."""
    if not hasattr(order, "_promise_history"):
        order._promise_history = order_promise_history(order=order)
    return order._promise_history


class OrderOut(OrderSummaryOut):
    industry: str
    payment_terms: str
    incoterm: str
    requirements: str
    is_repeat: bool
    repeat_reason: str
    feasible_date: dt.date | None
    promise_reason: str
    original_received_at: dt.datetime | None
    verbal_approved_at: dt.datetime | None
    released_at: dt.datetime | None
    planner_ack_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    lines: list[LineOut]
    review_id: int | None = Field(None, description="The latest review round, if the order was submitted")
    allowed_actions: list[str] = Field(
        default_factory=list, description="Actions of POST /orders/{id}/actions/{action} you may take now"
    )

    original_promised_date: dt.date | None = Field(
        None, description="The date promised at review; promised_date is the current agreed date"
    )
    kpi_promised_date: dt.date | None = Field(
        None,
        description="The date the merchandiser is measured against: moved by the customer's changes only",
    )
    promises: list[PromiseOut] = Field(
        default_factory=list,
        description="Every agreed delivery date, oldest first: the review's promise, then each change",
    )

    @staticmethod
    def resolve_original_promised_date(obj) -> dt.date | None:
        return promise_dates_summary(order=obj, history=_promise_history(obj))["original"]

    @staticmethod
    def resolve_kpi_promised_date(obj) -> dt.date | None:
        return promise_dates_summary(order=obj, history=_promise_history(obj))["kpi"]

    @staticmethod
    def resolve_promises(obj) -> list:
        return _promise_history(obj)

    @staticmethod
    def resolve_review_id(obj) -> int | None:
        if hasattr(obj, "latest_review_id"):  # known without a query (a order just created: none)
            return obj.latest_review_id
        return obj.reviews.order_by("-round").values_list("pk", flat=True).first()

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        return order_available_actions(order=obj, user=context["request"].auth)


class OrderPage(PageOut):
    items: list[OrderSummaryOut]


class EventOut(Schema):
    id: int
    type: str
    type_label: str
    actor: UserRef | None
    from_status: str
    to_status: str
    note: str
    data: dict
    created_at: dt.datetime

    @staticmethod
    def resolve_type_label(obj) -> str:
        return str(dict(OrderEvent.Type.choices).get(obj.type, obj.type))


class QueueOrderOut(Schema):
    id: int
    number: str
    customer: Ref
    due_date: dt.date
    quantity: Decimal = Field(..., description="Quantity of this order's lines in the group")
    products: list[Ref]
    acknowledged: bool

    @staticmethod
    def resolve_id(obj) -> int:
        return obj["order"].pk

    @staticmethod
    def resolve_number(obj) -> str:
        return obj["order"].number

    @staticmethod
    def resolve_customer(obj):
        return obj["order"].customer

    @staticmethod
    def resolve_due_date(obj) -> dt.date:
        return obj["order"].due_date

    @staticmethod
    def resolve_acknowledged(obj) -> bool:
        return obj["order"].planner_ack_at is not None


class QueueGroupOut(Schema):
    family: str
    work_centre: str
    unacknowledged: int
    orders: list[QueueOrderOut]


# ----------------------------------------------------------------------------------------------- input


def _sizes(value: Any) -> Any:
    """Keep the breakdown as given for the shared parser; refuse only what it could never read."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > 2000:
            raise ValueError("At most 2000 characters.")
        return value
    if isinstance(value, list):
        if len(value) > 100:
            raise ValueError("At most 100 sizes.")
        if not all(isinstance(item, dict) and set(item) <= {"size", "quantity"} for item in value):
            raise ValueError("Each size is {size, quantity}.")
        return value
    raise ValueError('Give the sizes as [{"size": "S", "quantity": 10}, …] or as text "S:10 M:20".')


_SIZE_ITEM = {
    "type": "object",
    "properties": {
        "size": {"type": "string", "minLength": 1, "maxLength": 20},
        "quantity": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string"}]},
    },
    "required": ["size", "quantity"],
    "additionalProperties": False,
}
SizeBreakdown = Annotated[
    Any,
    BeforeValidator(_sizes),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": _SIZE_ITEM, "maxItems": 100},
                {"type": "string", "maxLength": 2000, "examples": ["S:30 M:40 L:30"]},
                {"type": "null"},
            ],
            "description": "Colour × size breakdown; must add up to the line quantity",
        }
    ),
]


class LineIn(InputSchema):
    product: IdOrCode = Field(..., description="Product / style code or id")
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    unit: str | None = Field(None, max_length=10)
    spec: str | None = Field(None, max_length=200)
    color: str | None = Field(None, max_length=50)
    tolerance_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    sizes: SizeBreakdown = None


class OrderIn(InputSchema):
    customer: IdOrCode = Field(..., description="Customer code or id")
    customer_po: str = Field(..., min_length=1, max_length=50)
    order_date: DateIn
    requested_date: DateIn
    business_type: BusinessType | None = None
    industry: Industry | None = None
    source_document: SourceDocument | None = None
    currency: Currency | None = None
    payment_terms: str | None = Field(None, max_length=100)
    incoterm: Incoterm | None = None
    merchandiser: IdOrCode | None = Field(None, description="Username or id; default: the customer's")
    salesperson: IdOrCode | None = Field(None, description="Username or id; default: the customer's")
    requirements: str | None = Field(None, max_length=5000)
    confirm_repeat: bool = Field(False, strict=True, description="Same customer PO again, deliberately")
    confirm_order_date: bool = Field(
        False,
        strict=True,
        description="Keep an order date far from today (else 400 with extra.codes.order_date = "
        "`order_date_implausible`)",
    )
    repeat_reason: str | None = Field(None, max_length=200)
    lines: list[LineIn] = Field(..., max_length=500)


class OrderBatchIn(InputSchema):
    orders: list[OrderIn] = Field(..., min_length=1, max_length=services.MAX_BATCH)


class OrderBatchItemOut(Schema):
    id: int
    number: str
    status: str
    version: int


class OrderUpdateIn(OrderIn):
    version: StrictId = Field(..., description="The version you read; a stale one is refused (409)")


class OrderOrdering(StrEnum):
    ID = "id"
    ID_DESC = "-id"
    REQUESTED_DATE = "requested_date"
    REQUESTED_DATE_DESC = "-requested_date"
    ORDER_DATE = "order_date"
    ORDER_DATE_DESC = "-order_date"
    NUMBER = "number"
    NUMBER_DESC = "-number"
    TOTAL_AMOUNT = "total_amount"
    TOTAL_AMOUNT_DESC = "-total_amount"
    STATUS = "status"
    STATUS_DESC = "-status"


class OrderFilters(PageParams):
    status: list[OrderStatus] | None = Field(None, description="One or more statuses (repeat the parameter)")
    customer: Id | None = None
    merchandiser: Id | None = None
    q: str | None = Field(None, max_length=100, description="Order number, customer PO or customer")
    due_from: dt.date | None = Field(None, description="Requested delivery date from")
    due_to: dt.date | None = Field(None, description="Requested delivery date to")
    original_pending: bool | None = Field(None, description="Only orders whose original is still pending")
    ordering: OrderOrdering = OrderOrdering.ID_DESC


# The actions of POST /orders/{id}/actions/{action}: the order page's table (orders.actions), one place.
OrderAction = StrEnum("OrderAction", {name.upper(): name for name in ORDER_ACTIONS})


class OrderActionIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(
        "",
        max_length=500,
        description="Required for reject_verbal, hold, cancel, cancel_rest and close_short; the note of "
        "approve_verbal and close",
    )
    line_no: int | None = Field(None, ge=1, le=32767, description="cancel_rest: the order line's number")
    quantity: Decimal | None = Field(
        None,
        gt=0,
        max_digits=14,
        decimal_places=3,
        description="cancel_rest: how much of the unshipped rest to cancel (default: all of it)",
    )
    customer_contact: str = Field(
        "", max_length=100, description="close_short: who agreed to the shortfall at the customer"
    )


def _answer(request, order: Order) -> Order:
    """The order as stored, for the answer to a successful write. The writer may just have handed it outside
    their own scope (e.g. to another merchandiser): the write stands, so it is answered, not turned into a 404."""
    try:
        return order_get(user=request.auth, pk=order.pk)
    except NotFoundError:
        order.refresh_from_db()
        return order


# ------------------------------------------------------------------------------------------- endpoints


@router.get("", response={200: OrderPage, **ERRORS}, summary="Orders I may see")
def order_list_view(request, filters: Query[OrderFilters]):
    values = filters.model_dump(exclude={"limit", "offset", "ordering"})
    if values["status"]:
        values["status"] = [str(status.value) for status in values["status"]]
    qs = order_list(user=request.auth, filters=values, ordering=filters.ordering.value)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("", response={201: OrderOut, **ERRORS}, summary="Create an order (draft)")
def order_create_view(request, payload: OrderIn):
    """Validated by the rules of the order form (§2.2); on any error nothing is saved and no number is used.
    The same customer PO of the same customer again answers 409 `duplicate_po` unless `confirm_repeat` is
    true and `repeat_reason` given. When that order is outside the caller's scope the answer is 409
    `duplicate_po_out_of_scope`, naming no order, even with `confirm_repeat` (the supervisor decides); the
    attempt is on the audit log."""
    # Answered from the rows just written (lines and sizes included): the writer sees what was saved,
    # even if the order went to a merchandiser outside their own scope.
    return Status(201, services.order_create(actor=request.auth, data=payload.model_dump(mode="json")))


@router.post(
    "/batch", response={201: list[OrderBatchItemOut], **ERRORS}, summary="Create up to 500 orders at once"
)
def order_batch_create_view(request, payload: OrderBatchIn):
    """For integrations (EDI, a customer portal): every order is checked like a single one; errors are
    named `orders.N.field`. All orders are created in one transaction with consecutive numbers, or none
    and no number is used. A customer PO already on file or twice in the batch answers 409
    `duplicate_po` unless that order has `confirm_repeat` (`duplicate_po_out_of_scope`, naming no order,
    when the order on file is outside the caller's scope)."""
    rows = [order.model_dump(mode="json") for order in payload.orders]
    orders = services.order_create_many(actor=request.auth, rows=rows)
    return Status(
        201, [{"id": o.pk, "number": o.number, "status": o.status, "version": o.version} for o in orders]
    )


@router.get("/planner-queue", response={200: list[QueueGroupOut], **ERRORS}, summary="Planner's queue")
def planner_queue_view(request):
    """Released orders I may see, grouped by product family and work centre (归类汇总), unacknowledged first."""
    return planner_queue(user=request.auth)


@router.get("/{order_id}", response={200: OrderOut, **ERRORS}, summary="One order with lines and sizes")
def order_detail(request, order_id: OrderId):
    return order_get(user=request.auth, pk=order_id)


@router.put("/{order_id}", response={200: OrderOut, **ERRORS}, summary="Replace header and lines")
def order_update_view(request, order_id: OrderId, payload: OrderUpdateIn):
    """Only while draft, awaiting approval or rejected. `version` must be the one you read, else 409
    `stale_version` and nothing changes."""
    order = order_get(user=request.auth, pk=order_id)
    data = payload.model_dump(mode="json", exclude={"version"})
    return _answer(
        request, services.order_update(order=order, actor=request.auth, version=payload.version, data=data)
    )


@router.get("/{order_id}/events", response={200: list[EventOut], **ERRORS}, summary="The order's timeline")
def order_events(request, order_id: OrderId):
    return order_timeline(order=order_get(user=request.auth, pk=order_id))


@router.post(
    "/{order_id}/actions/{action}", response={200: OrderOut, **ERRORS}, summary="Change the order's status"
)
def order_action(
    request,
    order_id: OrderId,
    action: Annotated[OrderAction, Path(...)],
    payload: Annotated[OrderActionIn | None, Body()] = None,
):
    """One step of the order's life-cycle. A step not allowed from the current status answers 409
    `invalid_transition`, a role not allowed 403, and nothing changes. `submit_review` opens the review
    (see `review_id`); the review is concluded at /reviews/{id}/approve or /reject.

    Closing: `cancel_rest` cancels the unshipped rest of line `line_no` (or `quantity` of it; more than is
    unshipped answers 400 with a field error), `close_short` closes a partly shipped order whose customer
    accepted the shortfall (`reason`, `customer_contact`; nothing shipped yet answers 409 `nothing_shipped`:
    cancel instead), `close` closes a delivered order once invoiced and paid (409 `not_settled` before).
    A delivered order closes by itself when the last receipt or the payment completes it."""
    order = order_get(user=request.auth, pk=order_id)
    given = ActionInput(**payload.model_dump()) if payload else ActionInput()
    order_action_run(action=action.value, order=order, actor=request.auth, given=given)
    return _answer(request, order)
