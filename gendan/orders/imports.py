"""Order import from the customer's Excel file (SPEC §2.2): preview every row's errors, then all or nothing.

Rows are grouped into orders by (customer code, customer PO); each row is one line. The header fields come
from the first row of the group; a later row may leave them blank or repeat them, a different value is an
error. Each order is checked by `order_data_validate` — the same rules as the form and the API — and its
field errors (`lines.3.quantity`) are put back on the sheet's row and column.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.imports import INDUSTRY_ZH
from gendan.catalog.models import Product
from gendan.core.errors import ValidationFailed
from gendan.core.excel import (
    Column,
    ImportPreview,
    ImportRejected,
    RowIssue,
    Sheet,
    SheetRow,
    cell_display,
    column_title,
    preview_skeleton,
    read_sheet,
)
from gendan.core.parsing import blank
from gendan.orders.exports import BUSINESS_TYPE_ZH, SOURCE_DOCUMENT_ZH
from gendan.orders.models import Order, OrderEvent
from gendan.orders.selectors import order_duplicates_by_po, order_visible_list
from gendan.orders.services import order_create_batch
from gendan.orders.validation import OrderData, order_data_validate
from gendan.parties.exports import CURRENCY_ZH, zh_reverse
from gendan.parties.models import Customer
from gendan.parties.selectors import customer_visible_list

logger = logging.getLogger("gendan.orders.imports")

ORDER_IMPORT_ROLES = (R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN)
MAX_ROWS_IN_EVENT = 500  # row numbers kept in each order's "imported" event

ORDER_COLUMNS: tuple[Column, ...] = (
    Column(
        "customer", ("客户编码", "客户代码", "客户", "customer", "customer code"), True, "客户编码，如 C001"
    ),
    Column(
        "customer_po",
        ("客户订单号", "客户PO", "客户PO号", "PO", "PO号", "customer po", "customer po number", "po number"),
        True,
        "同一客户、同一订单号的各行合并为一张订单，每行一个明细",
    ),
    Column("order_date", ("下单日期", "订单日期", "接单日期", "order date"), True, "日期，如 2026-11-27"),
    Column(
        "requested_date",
        ("要求交期", "交货日期", "交期", "requested date", "delivery date"),
        True,
        "不得早于下单日期",
    ),
    Column(
        "business_type",
        ("业务类型", "跟单业务种类", "business type"),
        False,
        "订单跟单 / 样板跟单 / 外购跟单",
    ),
    Column("industry", ("行业", "industry"), False, "服装 / 印刷纸品 / 通用；空白时按产品"),
    Column(
        "source_document",
        ("来源单据", "订单来源", "source document", "source"),
        False,
        "书面订单 / 传真 / 邮件 / 扫描件 / 口头",
    ),
    Column("currency", ("币种", "货币", "currency"), False, "人民币 / 美元 … 或 CNY、USD；空白时按客户"),
    Column("payment_terms", ("付款条件", "付款方式", "payment terms"), False, "空白时按客户"),
    Column("incoterm", ("贸易术语", "价格条款", "incoterm"), False, "外贸客户必填：FOB、CIF …"),
    Column("merchandiser", ("跟单员", "merchandiser"), False, "用户名；空白时按客户"),
    Column("salesperson", ("业务员", "salesperson", "sales"), False, "用户名；空白时按客户"),
    Column(
        "requirements", ("客户要求", "详细要求", "备注", "requirements", "remarks"), False, "客户的详细需求"
    ),
    Column(
        "confirm_repeat",
        ("确认重复下单", "确认重复", "confirm repeat"),
        False,
        "同一客户订单号已有订单时填“是”",
    ),
    Column("repeat_reason", ("重复原因", "repeat reason"), False, "确认重复下单时必填"),
    Column(
        "product", ("产品编码", "款号", "产品", "product", "product code", "style"), True, "产品 / 款号编码"
    ),
    Column("color", ("颜色", "colour", "color"), False, ""),
    Column("spec", ("规格", "spec", "specification"), False, "空白时按产品"),
    Column("quantity", ("数量", "quantity", "qty"), True, "大于 0"),
    Column("unit", ("单位", "unit"), False, "空白时按产品"),
    Column("unit_price", ("单价", "unit price", "price"), True, "不小于 0"),
    Column("tolerance_percent", ("溢短装%", "溢短装", "tolerance %", "tolerance"), False, "0–100，空白为 3"),
    Column(
        "sizes", ("尺码配比", "尺码", "sizes", "size breakdown"), False, "如 S:10 M:20 L:10，合计须等于数量"
    ),
)
HEADER_KEYS = (
    "order_date",
    "requested_date",
    "business_type",
    "industry",
    "source_document",
    "currency",
    "payment_terms",
    "incoterm",
    "merchandiser",
    "salesperson",
    "requirements",
    "confirm_repeat",
    "repeat_reason",
)
LINE_KEYS = ("product", "color", "spec", "quantity", "unit", "unit_price", "tolerance_percent", "sizes")
TEMPLATE_EXAMPLE = (
    "C001",
    "PO-2026-001",
    "2026-11-27",
    "2027-01-15",
    "订单跟单",
    "",
    "书面订单",
    "人民币",
    "",
    "",
    "",
    "",
    "按客户确认样生产",
    "",
    "",
    "P001",
    "红",
    "",
    100,
    "件",
    "12.50",
    3,
    "S:30 M:40 L:30",
)

# Chinese labels and synonyms → stored values (the validation also takes the values and their labels).
_CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "business_type": zh_reverse(
        BUSINESS_TYPE_ZH,
        # The words the order form used before the vocabulary was unified, still accepted on import.
        {
            "大货": "bulk",
            "大货订单": "bulk",
            "样板": "sample",
            "样品订单": "sample",
            "外购": "purchased",
            "外购成品订单": "purchased",
        },
    ),
    "source_document": zh_reverse(
        SOURCE_DOCUMENT_ZH,
        {"书面": "written", "电子邮件": "email", "扫描": "scan", "口头订单": "verbal", "e-mail": "email"},
    ),
    "industry": zh_reverse(INDUSTRY_ZH, {"服饰": "apparel", "印刷": "printing", "纸品": "printing"}),
    "currency": zh_reverse(CURRENCY_ZH, {"RMB": "CNY", "元": "CNY", "港元": "HKD"}),
}


@dataclass
class OrderGroup:
    customer: str
    customer_po: str
    rows: list[SheetRow]
    data: OrderData | None = None


@dataclass
class OrderImportPlan:
    sheet: Sheet
    preview: ImportPreview
    groups: list[OrderGroup] = field(default_factory=list)


def _choice(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in _CHOICE_SYNONYMS:
        return _CHOICE_SYNONYMS[key].get(value.strip(), value)
    return value


def _same(a: Any, b: Any) -> bool:
    return cell_display(a).strip().casefold() == cell_display(b).strip().casefold()


def _group_rows(sheet: Sheet) -> list[OrderGroup]:
    groups: dict[tuple, OrderGroup] = {}
    for row in sheet.rows:
        customer, po = row.get("customer"), row.get("customer_po")
        if blank(customer) or blank(po):
            key: tuple = ("", "", row.number)  # cannot be grouped: on its own, the validation names the gap
        else:
            key = (str(customer).strip(), str(po).strip().casefold())
        group = groups.get(key)
        if group is None:
            groups[key] = OrderGroup(
                customer=cell_display(customer).strip(), customer_po=cell_display(po).strip(), rows=[row]
            )
        else:
            group.rows.append(row)
    return list(groups.values())


def _raw_order(group: OrderGroup) -> dict[str, Any]:
    first = group.rows[0]
    raw: dict[str, Any] = {"customer": first.get("customer"), "customer_po": first.get("customer_po")}
    for key in HEADER_KEYS:
        raw[key] = _choice(key, first.get(key))
    raw["lines"] = [{key: _choice(key, row.get(key)) for key in LINE_KEYS} for row in group.rows]
    return raw


def _issue(sheet: Sheet, row: int, key: str, message: str) -> RowIssue:
    return RowIssue(row=row, column=column_title(sheet, ORDER_COLUMNS, key) if key else "", message=message)


def _field_issues(sheet: Sheet, group: OrderGroup, fields: Mapping[str, list[str]]) -> list[RowIssue]:
    """`lines.3.quantity` → (the group's 4th row, 数量); header fields → the group's first row."""
    first = group.rows[0].number
    issues = []
    for path, messages in fields.items():
        parts = path.split(".")
        row, key = first, path
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(group.rows):
            row = group.rows[int(parts[1])].number
            key = parts[2] if len(parts) > 2 else ""
        elif parts[0] == "lines" or path in ("__all__", ""):
            key = ""
        issues.extend(_issue(sheet, row, key, message) for message in messages)
    return issues


def _prefetch(sheet: Sheet, actor: User) -> tuple[dict[str, Product], dict[str, Customer]]:
    """Products by code and the customers `actor` may see, by code: two queries for the whole file."""
    product_codes = {str(row.get("product")).strip() for row in sheet.rows if not blank(row.get("product"))}
    customer_codes = {
        str(row.get("customer")).strip() for row in sheet.rows if not blank(row.get("customer"))
    }
    products = {p.code: p for p in Product.objects.filter(code__in=product_codes)}
    customers = {c.code: c for c in customer_visible_list(user=actor).filter(code__in=customer_codes)}
    return products, customers


def order_import_plan(*, data: bytes, actor: User) -> OrderImportPlan:
    """Read and check the whole file; saves nothing. Raises SpreadsheetError if the file is unusable."""
    sheet = read_sheet(data, ORDER_COLUMNS)
    preview, by_number = preview_skeleton(sheet)
    plan = OrderImportPlan(sheet=sheet, preview=preview, groups=_group_rows(sheet))
    products, customers = _prefetch(sheet, actor)

    for index, group in enumerate(plan.groups, start=1):
        first = group.rows[0]
        for row in group.rows[1:]:
            for key in HEADER_KEYS:
                value = row.get(key)
                if not blank(value) and not _same(value, first.get(key)):
                    by_number[row.number].issues.append(
                        _issue(
                            sheet,
                            row.number,
                            key,
                            _(
                                "Differs from row %(row)d, the first row of this order: leave it blank or repeat it."
                            )
                            % {"row": first.number},
                        )
                    )
        try:
            group.data = order_data_validate(
                _raw_order(group), actor=actor, products=products, customers=customers
            )
        except ValidationFailed as exc:
            for issue in _field_issues(sheet, group, exc.fields):
                by_number[issue.row].issues.append(issue)
        for position, row in enumerate(group.rows, start=1):
            by_number[row.number].note = _("order %(n)d (%(customer)s / %(po)s), line %(line)d") % {
                "n": index,
                "customer": group.customer,
                "po": group.customer_po,
                "line": position,
            }

    existing = order_duplicates_by_po(
        {(g.data.customer.pk, g.data.customer_po) for g in plan.groups if g.data is not None}
    )
    for group in plan.groups:
        if group.data is None:
            continue
        numbers = existing.get((group.data.customer.pk, group.data.customer_po.casefold()))
        hidden = _out_of_scope(numbers or [], actor=actor)
        if hidden:
            # issue 21 item 6: never name an order outside the importer's scope
            by_number[group.rows[0].number].issues.append(
                _issue(
                    sheet,
                    group.rows[0].number,
                    "customer_po",
                    _(
                        "Another order of this customer already has customer PO %(po)s. Ask your supervisor "
                        "before taking this order in."
                    )
                    % {"po": group.data.customer_po},
                )
            )
            continue
        if numbers and not group.data.confirm_repeat:
            by_number[group.rows[0].number].issues.append(
                _issue(
                    sheet,
                    group.rows[0].number,
                    "customer_po",
                    _(
                        "This customer's PO %(po)s is already on order %(numbers)s. Correct the PO number, or "
                        "mark the row as a deliberate repeat (确认重复下单 = 是) with a reason."
                    )
                    % {"po": group.data.customer_po, "numbers": ", ".join(numbers[:5])},
                )
            )

    valid = [g.data for g in plan.groups if g.data is not None]
    totals: dict[str, Decimal] = {}
    for order_data in valid:
        totals[order_data.currency] = totals.get(order_data.currency, Decimal(0)) + sum(
            (line.amount for line in order_data.lines), Decimal(0)
        )
    preview.summary = [
        (_("Rows"), str(len(sheet.rows))),
        (_("Orders"), str(len(plan.groups))),
        (_("Order lines"), str(sum(len(g.rows) for g in plan.groups))),
        *[
            (_("Amount (%(currency)s)") % {"currency": cur}, f"{amount:,.2f}")
            for cur, amount in sorted(totals.items())
        ],
    ]
    return plan


def _out_of_scope(numbers: list[str], *, actor: User) -> list[str]:
    if not numbers:
        return []
    visible = set(order_visible_list(user=actor).filter(number__in=numbers).values_list("number", flat=True))
    return sorted(set(numbers) - visible)


def order_import_preview(*, data: bytes, actor: User) -> ImportPreview:
    return order_import_plan(data=data, actor=actor).preview


@transaction.atomic
def order_import_commit(*, data: bytes, actor: User, file_name: str = "") -> list[Order]:
    """Check the file again and create every order in one transaction, or none (ImportRejected)."""
    plan = order_import_plan(data=data, actor=actor)
    if not plan.preview.ok:
        raise ImportRejected(plan.preview)
    assert all(g.data is not None for g in plan.groups)  # a group without data has an issue: not ok
    orders = order_create_batch(
        actor=actor,
        datas=[group.data for group in plan.groups],
        event_type=OrderEvent.Type.IMPORTED,
        event_data=[
            {"file": file_name[:200], "rows": [r.number for r in group.rows][:MAX_ROWS_IN_EVENT]}
            for group in plan.groups
        ],
    )
    logger.info("order import by %s: %d orders from %r", actor.username, len(orders), file_name)
    return orders


def may_import_orders(user: User) -> bool:
    return user.is_active and not user.is_read_only and user.has_role(*ORDER_IMPORT_ROLES)
