"""Batch actions on orders (mounted on /orders before the orders router, so that its paths are not taken for
an order id)."""

from ninja import Field, Router, Schema

from gendan.core.schemas import ERRORS, Id
from gendan.orders.bulk import order_release_many

router = Router(tags=["orders"])


class ReleaseBatchIn(Schema):
    model_config = {"extra": "forbid"}

    orders: list[Id] = Field(..., description="Approved order ids, up to 500")


class ReleasedOut(Schema):
    id: int
    number: str
    status: str
    version: int


@router.post("/release-batch", response={200: list[ReleasedOut], **ERRORS}, summary="Release many orders")
def order_release_batch_view(request, payload: ReleaseBatchIn):
    """批量下达: approved orders released to the planner, all or none, each checked like a single release
    (T&A plan and material reservation included). Orders you may not see answer 404; an order that is not
    approved answers 409; errors name the order (`orders.N`, N from 0); none or more than 500 answer 400."""
    return order_release_many(orders=payload.orders, actor=request.auth)
