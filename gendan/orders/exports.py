"""Order export to Excel: the list page's filters, the user's scope, one row per order line.

Also the Chinese labels of the order's choices, shared by the import (reading), the export and the printed
business notice: files and printed forms are Chinese whatever the UI language.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_response
from gendan.exports.registry import ExportBuild, ExportKind, no_progress
from gendan.orders.models import BusinessType, Order, OrderLine, OrderLineSize, OrderStatus, SourceDocument
from gendan.orders.selectors import order_list
from gendan.parties.exports import CURRENCY_ZH

logger = logging.getLogger("gendan.orders.exports")

STATUS_ZH = {
    OrderStatus.DRAFT: "草稿",
    OrderStatus.AWAITING_APPROVAL: "待请示",
    OrderStatus.IN_REVIEW: "评审中",
    OrderStatus.APPROVED: "已评审",
    OrderStatus.REJECTED: "评审未通过",
    OrderStatus.RELEASED: "已下单",
    OrderStatus.IN_PRODUCTION: "生产中",
    OrderStatus.PARTIALLY_SHIPPED: "部分发货",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.DELIVERED: "已签收",
    OrderStatus.CLOSED: "已结清",
    OrderStatus.ON_HOLD: "暂停",
    OrderStatus.CANCELLED: "已取消",
}
# The zh-Hans labels of BusinessType (one vocabulary: the form, PDFs, export and import read the same words).
BUSINESS_TYPE_ZH = {
    BusinessType.BULK: "订单跟单",
    BusinessType.SAMPLE: "样板跟单",
    BusinessType.PURCHASED: "外购跟单",
}
SOURCE_DOCUMENT_ZH = {
    SourceDocument.WRITTEN: "书面订单",
    SourceDocument.FAX: "传真",
    SourceDocument.EMAIL: "邮件",
    SourceDocument.SCAN: "扫描件",
    SourceDocument.VERBAL: "口头",
}

EXPORT_MAX_LINES = 100_000


def zh(labels: Mapping[str, str], value: str) -> str:
    return labels.get(value, value)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else None


def order_filters_from_query(query: QueryDict) -> tuple[dict[str, Any], str]:
    """The list page's GET parameters → (filters for order_list, ordering). Bad values are dropped, never a
    500: status (repeatable), customer (id), merchandiser (id), q, due_from, due_to, original_pending,
    ordering."""
    filters: dict[str, Any] = {}
    statuses = [s for s in query.getlist("status") if s in OrderStatus.values]
    if statuses:
        filters["status"] = statuses
    for name in ("customer", "merchandiser"):
        if (number := _int(query.get(name))) is not None:
            filters[name] = number
    if q := (query.get("q") or "").strip()[:100]:
        filters["q"] = q
    for name in ("due_from", "due_to"):
        if (day := _date(query.get(name))) is not None:
            filters[name] = day
    if (query.get("original_pending") or "").strip().lower() in {"1", "true", "yes", "on"}:
        filters["original_pending"] = True
    return filters, (query.get("ordering") or "-id").strip()[:30]


ORDER_EXPORT_COLUMNS = (
    XColumn("订单号", 16),
    XColumn("状态", 10),
    XColumn("客户编码", 10),
    XColumn("客户名称", 26),
    XColumn("客户订单号", 16),
    XColumn("下单日期", 11),
    XColumn("要求交期", 11),
    XColumn("承诺交期", 11),
    XColumn("业务类型", 10),
    XColumn("来源单据", 10),
    XColumn("币种", 8),
    XColumn("跟单员", 10),
    XColumn("业务员", 10),
    XColumn("行号", 6),
    XColumn("产品编码", 12),
    XColumn("产品名称", 20),
    XColumn("颜色", 8),
    XColumn("规格", 16),
    XColumn("尺码配比", 22),
    XColumn("数量", 10, "#,##0.###"),
    XColumn("单位", 6),
    XColumn("单价", 10, "#,##0.00##"),
    XColumn("金额", 14, "#,##0.00"),
    XColumn("溢短装%", 8, "0.##"),
    XColumn("客户要求", 30),
)


ORDER_FIELDS = (
    "pk",
    "number",
    "status",
    "customer__code",
    "customer__name",
    "customer_po",
    "order_date",
    "requested_date",
    "promised_date",
    "business_type",
    "source_document",
    "currency",
    "merchandiser_id",
    "salesperson_id",
    "requirements",
)
LINE_FIELDS = (
    "pk",
    "order_id",
    "line_no",
    "product__code",
    "product__name",
    "color",
    "spec",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "tolerance_percent",
)
CHUNK = 500  # orders read per round: their lines and sizes come in one query each


def _order_rows(
    orders: Any, counter: dict[str, Any], *, max_lines: int, progress: Callable[[int], None]
) -> Iterator[list[Any]]:
    """One row per order line, streamed: orders are read as plain values CHUNK at a time, their lines and
    sizes with one query each per chunk (no model instances, no N+1); people's names are looked up once.
    `orders` is the scoped, filtered, ordered queryset; its order is kept."""
    people: dict[int, str] = {}
    # The ids first (a few MB for 100,000 orders), then CHUNK orders per query: no cursor stays open while
    # the job writes its progress (on SQLite an open read would make that write fail under concurrency).
    order_ids = list(orders.values_list("pk", flat=True)[: max_lines + 1])
    for start in range(0, len(order_ids), CHUNK):
        ids = order_ids[start : start + CHUNK]
        by_id = {row["pk"]: row for row in Order.objects.filter(pk__in=ids).values(*ORDER_FIELDS)}
        chunk = [by_id[pk] for pk in ids if pk in by_id]
        lines: dict[int, list[dict]] = {}
        for line in (
            OrderLine.objects.filter(order_id__in=ids).order_by("order_id", "line_no").values(*LINE_FIELDS)
        ):
            lines.setdefault(line["order_id"], []).append(line)
        sizes: dict[int, list[str]] = {}
        line_ids = [line["pk"] for group in lines.values() for line in group]
        if line_ids:
            for size in (
                OrderLineSize.objects.filter(line_id__in=line_ids)
                .order_by("line_id", "position", "id")
                .values_list("line_id", "size", "quantity")
            ):
                sizes.setdefault(size[0], []).append(f"{size[1]}:{size[2].normalize():f}")
        wanted = {o[k] for o in chunk for k in ("merchandiser_id", "salesperson_id") if o[k]} - people.keys()
        if wanted:
            people.update({u.pk: str(u) for u in User.objects.filter(pk__in=wanted)})
        for order in chunk:
            counter["orders"] += 1
            head = [
                order["number"],
                zh(STATUS_ZH, order["status"]),
                order["customer__code"],
                order["customer__name"],
                order["customer_po"],
                order["order_date"],
                order["requested_date"],
                order["promised_date"],
                zh(BUSINESS_TYPE_ZH, order["business_type"]),
                zh(SOURCE_DOCUMENT_ZH, order["source_document"]),
                zh(CURRENCY_ZH, order["currency"]),
                people.get(order["merchandiser_id"], ""),
                people.get(order["salesperson_id"], ""),
            ]
            order_lines = lines.get(order["pk"], [])
            if not order_lines:
                if counter["rows"] >= max_lines:
                    counter["truncated"] = True
                    yield [f"…… 超过 {max_lines} 行，其余未导出：请缩小筛选范围"]
                    return
                counter["rows"] += 1
                yield [*head, *[None] * 11, order["requirements"]]
                continue
            for index, line in enumerate(order_lines):
                if counter["rows"] >= max_lines:
                    counter["truncated"] = True
                    yield [f"…… 超过 {max_lines} 行，其余未导出：请缩小筛选范围"]
                    return
                counter["lines"] += 1
                counter["rows"] += 1
                yield [
                    *head,
                    line["line_no"],
                    line["product__code"],
                    line["product__name"],
                    line["color"],
                    line["spec"],
                    " ".join(sizes.get(line["pk"], ())),
                    line["quantity"],
                    line["unit"],
                    line["unit_price"],
                    line["amount"],
                    line["tolerance_percent"],
                    order["requirements"] if index == 0 else "",
                ]
        progress(counter["rows"])


def _jsonable(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()}


def order_export_params(query: QueryDict) -> dict[str, Any]:
    """The list page's GET parameters → what an export job stores (JSON)."""
    filters, ordering = order_filters_from_query(query)
    return {"filters": _jsonable(filters), "ordering": ordering}


def _filters(params: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    filters = dict(params.get("filters") or {})
    for name in ("due_from", "due_to"):
        if name in filters:
            filters[name] = _date(filters[name])
            if filters[name] is None:
                del filters[name]
    return filters, str(params.get("ordering") or "-id")


def order_export_count(*, user: User, params: Mapping[str, Any]) -> int:
    """Orders in the export (one COUNT); an order gives one row per line."""
    filters, _ordering = _filters(params)
    return order_list(user=user, filters=filters).order_by().count()


def order_export_build(
    *,
    user: User,
    params: Mapping[str, Any],
    progress: Callable[[int], None] = no_progress,
    max_rows: int = EXPORT_MAX_LINES,
) -> ExportBuild:
    """The orders `user` may see (scope applied now), filtered like the list page, one row per line, as a
    streamed sheet; `summary` (rows, orders, truncated, filters) is complete once the rows are written."""
    filters, ordering = _filters(params)
    orders = order_list(user=user, filters=filters, ordering=ordering)
    summary: dict[str, Any] = {
        "rows": 0,
        "orders": 0,
        "lines": 0,
        "truncated": False,
        "filters": _jsonable(filters),
        "ordering": ordering,
    }
    rows = _order_rows(orders, summary, max_lines=max_rows, progress=progress)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportBuild(
        filename=f"orders-{stamp}.xlsx", sheets=[XSheet("订单", ORDER_EXPORT_COLUMNS, rows)], summary=summary
    )


def order_export_log(*, user: User, summary: Mapping[str, Any]) -> None:
    logger.info(
        "order export by %s (id %s): %d orders, %d lines%s, filters=%s ordering=%s",
        user.username,
        user.pk,
        summary["orders"],
        summary["lines"],
        " (truncated)" if summary["truncated"] else "",
        summary["filters"],
        summary["ordering"],
    )


def order_export(
    *, user: User, filters: dict[str, Any], ordering: str = "-id", request: HttpRequest | None = None
) -> HttpResponse:
    """A direct (synchronous) export, logged and audited (who, filters, how many, the scope applied).
    Views go through gendan.exports.web.export_respond, which sends large ones to the task queue."""
    build = order_export_build(user=user, params={"filters": _jsonable(filters), "ordering": ordering})
    response = xlsx_response(filename=build.filename, sheets=build.sheets)
    order_export_log(user=user, summary=build.summary)
    audit_record(actor=user, action="export", what="orders", data=build.summary, request=request)
    return response


ORDER_EXPORT_KIND = ExportKind(
    code="orders",
    label=_("Orders"),
    audit_what="orders",
    params=order_export_params,
    count=order_export_count,
    build=order_export_build,
    log=order_export_log,
)
