"""Pagination for lists over big tables: the count is capped, never an unbounded COUNT(*)."""

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

PER_PAGE = 50
COUNT_CAP = 1000
MAX_PAGE = 100_000


@dataclass
class CappedPage:
    object_list: list[Any]
    number: int
    per_page: int
    count: int  # at most `cap` + 1
    cap: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_display(self) -> str:
        return f"{self.cap}+" if self.count_is_capped else str(self.count)

    @property
    def num_pages(self) -> int | None:
        """Known only when the count is below the cap."""
        if self.count_is_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number_parse(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def capped_page(qs: QuerySet, page: Any, *, per_page: int = PER_PAGE, cap: int = COUNT_CAP) -> CappedPage:
    """One page of `qs` (already ordered) plus a count that stops at `cap` + 1 rows."""
    number = page_number_parse(page)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    count = qs[: cap + 1].count()
    return CappedPage(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        count=count,
        cap=cap,
        has_next=len(rows) > per_page,
    )


def capped_counts(querysets: dict[str, QuerySet], *, cap: int) -> dict[str, int]:
    """Each queryset's row count, stopping at `cap` + 1, all in one query (one scalar subquery each).

    Each count reads at most `cap` + 1 index entries, however many rows match.
    """
    if not querysets:
        return {}
    parts, params = [], []
    for qs in querysets.values():
        sql, qs_params = qs.order_by().values("pk")[: cap + 1].query.sql_with_params()
        # the SQL is Django's own compilation of the queryset; values stay bound parameters
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608
        params.extend(qs_params)
    using = next(iter(querysets.values())).db
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))
