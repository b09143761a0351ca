"""Return visits over the API."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from gendan.core.schemas import ERRORS, MAX_ID, DateIn, PageOut, PageParams, Ref, page_of
from gendan.visits import services
from gendan.visits.models import VisitMethod, VisitStatus
from gendan.visits.selectors import (
    satisfaction_by_customer,
    satisfaction_by_merchandiser,
    visit_get,
    visit_list,
)

router = Router(tags=["visits"])

VisitId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Score = Annotated[int, Field(strict=True, ge=1, le=5)]


class VisitOut(Schema):
    id: int
    order: int = Field(..., alias="order_id")
    customer: Ref
    merchandiser: str
    delivered_on: dt.date
    due_on: dt.date
    status: VisitStatus
    visited_on: dt.date | None
    method: str
    contact_person: str
    score_quality: int | None
    score_delivery: int | None
    score_service: int | None
    score_communication: int | None
    average: Decimal | None
    comments: str
    version: int

    @staticmethod
    def resolve_merchandiser(obj) -> str:
        return obj.merchandiser.username


class VisitPage(PageOut):
    items: list[VisitOut]


class VisitFilters(PageParams):
    status: VisitStatus | None = None


class VisitIn(Schema):
    model_config = {"extra": "forbid"}

    visited_on: DateIn
    method: VisitMethod = VisitMethod.PHONE
    contact_person: str = Field("", max_length=100)
    score_quality: Score
    score_delivery: Score
    score_service: Score
    score_communication: Score
    comments: str = Field("", max_length=5000)
    version: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | None = None


class AverageOut(Schema):
    key: int
    name: str
    visits: int
    score_quality: Decimal
    score_delivery: Decimal
    score_service: Decimal
    score_communication: Decimal
    overall: Decimal


class SatisfactionOut(Schema):
    customers: list[AverageOut]
    merchandisers: list[AverageOut]


@router.get("", response={200: VisitPage, **ERRORS}, summary="Return visits of orders I may see")
def visit_list_api(request, filters: Query[VisitFilters]):
    qs = visit_list(user=request.auth, status=filters.status.value if filters.status else None)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/satisfaction", response={200: SatisfactionOut, **ERRORS}, summary="Average scores")
def satisfaction_api(request, date_from: dt.date | None = None, date_to: dt.date | None = None):
    customers = satisfaction_by_customer(user=request.auth, date_from=date_from, date_to=date_to)
    merchandisers = satisfaction_by_merchandiser(user=request.auth, date_from=date_from, date_to=date_to)
    return {
        "customers": [{**r, "name": r["customer"].name} for r in customers],
        "merchandisers": [{**r, "name": r["merchandiser"].username} for r in merchandisers],
    }


@router.get("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="One return visit")
def visit_detail_api(request, visit_id: VisitId):
    return visit_get(user=request.auth, pk=visit_id)


@router.post("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="Record the visit and its scores")
def visit_record_api(request, visit_id: VisitId, payload: VisitIn):
    visit = visit_get(user=request.auth, pk=visit_id)
    data = payload.dict(exclude={"version"})
    services.visit_record(visit=visit, actor=request.auth, data=data, version=payload.version)
    return visit_get(user=request.auth, pk=visit_id)
