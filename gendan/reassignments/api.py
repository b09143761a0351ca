"""/api/v1/reassignments: preview a merchandiser's handover checklist, reassign for good, read one back."""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema, Status

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.core.schemas import ERRORS, MAX_ID, Id, InputSchema, UserRef
from gendan.reassignments.selectors import handover_checklist, may_decide, reassignment_get
from gendan.reassignments.services import reassignment_create

router = Router(tags=["reassignments"])


class ChecklistParams(Schema):
    from_id: Id = Field(..., description="The merchandiser giving the orders")
    order_id: list[Id] | None = Field(
        None, description="Only these of their open orders (repeat the parameter)"
    )


class ReassignIn(InputSchema):
    from_id: Id = Field(..., description="The merchandiser giving the orders (resignation, transfer)")
    to_id: Id = Field(..., description="The merchandiser taking them over for good")
    reason: str = Field(..., min_length=1, max_length=300)
    order_ids: list[Id] | None = Field(
        None, max_length=5000, description="A selection of their open orders; default: all of them"
    )
    customer_ids: list[Id] | None = Field(
        None,
        max_length=5000,
        description="Which of their customers change merchandiser; default: all, [] none",
    )


class ReassignmentOut(Schema):
    id: int
    from_merchandiser: UserRef
    to_merchandiser: UserRef
    decided_by: UserRef
    reason: str
    order_ids: list[int]
    customer_ids: list[int]
    checklist: dict = Field(..., description="The handover checklist as handed over")
    created_at: dt.datetime


def _merchandiser_for(actor: User, pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None or not may_decide(actor=actor, merchandiser=user):
        raise NotFoundError(_not_found())
    return user


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Merchandiser not found.")


@router.get(
    "/checklist", response={200: dict, **ERRORS}, summary="Handover checklist of a merchandiser (preview)"
)
def checklist_view(request, params: Query[ChecklistParams]):
    """What is open on the merchandiser's open orders and customers: milestones due, open exceptions,
    shipments in transit, samples awaiting feedback, complaints and receivables. For their supervisor, the
    general manager and the administrator; anyone else: 404."""
    merchandiser = _merchandiser_for(request.auth, params.from_id)
    return handover_checklist(user=request.auth, merchandiser=merchandiser, order_ids=params.order_id)


@router.post("", response={201: ReassignmentOut, **ERRORS}, summary="Reassign orders and customers for good")
def reassignment_create_view(request, payload: ReassignIn):
    """The orders' merchandiser and the customers' default merchandiser change; each order's timeline shows
    it, both merchandisers are notified, open milestones and exceptions the old one owned move too. The old
    merchandiser no longer sees the orders (unless a handover grants it)."""
    reassignment = reassignment_create(
        actor=request.auth,
        from_merchandiser=payload.from_id,
        to_merchandiser=payload.to_id,
        reason=payload.reason,
        order_ids=payload.order_ids,
        customer_ids=payload.customer_ids,
    )
    return Status(201, reassignment)


@router.get("/{reassignment_id}", response={200: ReassignmentOut, **ERRORS}, summary="One reassignment")
def reassignment_detail(request, reassignment_id: Annotated[int, Path(..., ge=1, le=MAX_ID)]):
    return reassignment_get(user=request.auth, pk=reassignment_id)
