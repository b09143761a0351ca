"""Order export to Excel: the list page's filters, the user's scope, one row per order line.

Also the Chinese labels of the order's choices, shared by the import (reading), the export and the printed
business notice: files and printed forms are Chinese whatever the UI language.
"""

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_response
from gendan.orders.models import BusinessType, OrderLine, OrderStatus, SourceDocument
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


def _person(user: User | None) -> str:
    return str(user) if user else ""


def _order_rows(orders: Any, counter: dict[str, int]) -> Iterator[list[Any]]:
    for order in orders:
        counter["orders"] += 1
        head = [
            order.number,
            zh(STATUS_ZH, order.status),
            order.customer.code,
            order.customer.name,
            order.customer_po,
            order.order_date,
            order.requested_date,
            order.promised_date,
            zh(BUSINESS_TYPE_ZH, order.business_type),
            zh(SOURCE_DOCUMENT_ZH, order.source_document),
            zh(CURRENCY_ZH, order.currency),
            _person(order.merchandiser),
            _person(order.salesperson),
        ]
        lines = list(order.lines.all())
        if not lines:
            yield [*head, *[None] * 11, order.requirements]
            continue
        for line in lines:
            if counter["lines"] >= EXPORT_MAX_LINES:
                counter["truncated"] = 1
                return
            counter["lines"] += 1
            sizes = " ".join(f"{s.size}:{s.quantity.normalize():f}" for s in line.sizes.all())
            yield [
                *head,
                line.line_no,
                line.product.code,
                line.product.name,
                line.color,
                line.spec,
                sizes,
                line.quantity,
                line.unit,
                line.unit_price,
                line.amount,
                line.tolerance_percent,
                order.requirements if line.line_no == lines[0].line_no else "",
            ]


def order_export(
    *, user: User, filters: dict[str, Any], ordering: str = "-id", request: HttpRequest | None = None
) -> HttpResponse:
    """The orders `user` may see, filtered like the list page, one row per line; logged and audited (who,
    filters, how many, the scope applied)."""
    orders = (
        order_list(user=user, filters=filters, ordering=ordering)
        .select_related("customer", "merchandiser", "salesperson")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product")
                .prefetch_related("sizes")
                .order_by("line_no"),
            )
        )
    )
    counter = {"orders": 0, "lines": 0, "truncated": 0}
    rows = list(_order_rows(orders.iterator(chunk_size=500), counter))
    if counter["truncated"]:
        rows.append([f"…… 超过 {EXPORT_MAX_LINES} 行，其余未导出：请缩小筛选范围"])
    shown_filters = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()}
    logger.info(
        "order export by %s (id %s): %d orders, %d lines%s, filters=%s ordering=%s",
        user.username,
        user.pk,
        counter["orders"],
        counter["lines"],
        " (truncated)" if counter["truncated"] else "",
        shown_filters,
        ordering,
    )
    audit_record(
        actor=user,
        action="export",
        what="orders",
        data={
            "rows": counter["lines"],
            "orders": counter["orders"],
            "truncated": bool(counter["truncated"]),
            "filters": shown_filters,
            "ordering": ordering,
        },
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(filename=f"orders-{stamp}.xlsx", sheets=[XSheet("订单", ORDER_EXPORT_COLUMNS, rows)])
