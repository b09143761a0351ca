"""Shared pieces of the REST API's schemas: bounded ids, strict input types, references, capped pages."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from gendan.core.paging import COUNT_CAP


class InputSchema(BaseModel):
    """A request body: plain pydantic, unknown fields refused. (ninja's Schema, made for reading Django
    objects, validates a model with extra="forbid" twice — on the hot intake path that is a third of the
    request's CPU time.)"""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}


# Error responses every operation may give; declared so the OpenAPI document is complete.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

MAX_ID = 2**53  # the largest integer every JSON client can represent exactly
MAX_OFFSET = 100_000
MAX_LIMIT = 200

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In a JSON body: a real integer, never `true` or "3".
StrictId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


def _id_or_code(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("Give an id (integer) or a code (text), not a boolean.")
    if isinstance(value, int):
        if not 1 <= value <= MAX_ID:
            raise ValueError(f"An id is between 1 and {MAX_ID}.")
        return str(value)
    if isinstance(value, str):
        if not value.strip() or len(value) > 50:
            raise ValueError("A code has 1 to 50 characters.")
        return value
    raise ValueError("Give an id (integer) or a code (text).")


# A customer, product or user given by id or by code/username (the shared validation accepts both).
IdOrCode = Annotated[
    str,
    BeforeValidator(_id_or_code),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "minLength": 1, "maxLength": 50},
            ]
        }
    ),
]


def _date_text(value: Any) -> Any:
    if not isinstance(value, str | dt.date):
        raise ValueError("Give the date as text, YYYY-MM-DD.")
    return value


# A date in a JSON body: "YYYY-MM-DD" only (pydantic would also take a number of seconds since 1970).
DateIn = Annotated[dt.date, BeforeValidator(_date_text)]


class Ref(Schema):
    id: int
    code: str
    name: str


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page_of(qs: QuerySet, *, limit: int, offset: int, cap: int | None = None) -> dict[str, Any]:
    """A limit/offset page of an ordered queryset; the count stops at `cap` (`count_capped` says so), so a
    list never runs an unbounded COUNT(*)."""
    cap = cap or COUNT_CAP
    items = list(qs[offset : offset + limit])
    if offset == 0 and len(items) < limit:  # the whole list is on this page: counted exactly, no query
        count, capped = len(items), False
    else:
        count = qs.order_by()[: cap + 1].count()
        count, capped = min(count, cap), count > cap
    return {
        "count": count,
        "count_capped": capped,
        "limit": limit,
        "offset": offset,
        "items": items,
    }


class PageOut(Schema):
    count: int = Field(..., description="Rows matching, up to the cap; see count_capped")
    count_capped: bool = Field(..., description="True when more rows match than `count` says")
    limit: int
    offset: int
