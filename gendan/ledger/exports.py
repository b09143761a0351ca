"""Excel exports of the shipped-goods ledger (发出商品台账) and of receivables (应收账款/账龄), within the
user's scope, with a totals row equal to the screen's totals. Every export is audited."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse

from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_bytes, xlsx_response
from gendan.core.models import AuditLog
from gendan.ledger.models import EntryKind, LedgerState
from gendan.ledger.selectors import EntryView, ledger_totals, receivables_ageing

STATE_ZH = {
    LedgerState.SHIPPED_NOT_RECEIVED: "已发货未签收",
    LedgerState.RECEIVED_NOT_INVOICED: "已签收未开票",
    LedgerState.INVOICED_NOT_PAID: "已开票未收款",
    LedgerState.PARTLY_PAID: "部分收款",
    LedgerState.PAID: "已收款",
    LedgerState.REVERSED: "已冲销",
}
KIND_ZH = {EntryKind.POSTING: "发货入账", EntryKind.REVERSAL: "冲销"}
TOTAL_LABEL = "合计"
MONEY = "#,##0.00"
QTY = "#,##0.###"

LEDGER_COLUMNS = [
    XColumn("日期", 11),
    XColumn("发货单号", 16),
    XColumn("客户编码", 10),
    XColumn("客户", 22),
    XColumn("订单号", 16),
    XColumn("产品", 14),
    XColumn("数量", 10, QTY),
    XColumn("单价", 10, "#,##0.00##"),
    XColumn("金额", 12, MONEY),
    XColumn("币种", 6),
    XColumn("类型", 8),
    XColumn("状态", 12),
    XColumn("签收日期", 11),
    XColumn("发票号", 16),
    XColumn("开票金额", 12, MONEY),
    XColumn("已收金额", 12, MONEY),
    XColumn("未收金额", 12, MONEY),
]


def ledger_rows(views: list[EntryView]) -> list[list]:
    rows: list[list] = []
    for view in views:
        entry = view.entry
        rows.append(
            [
                entry.posted_on,
                entry.shipment.number,
                entry.customer.code,
                entry.customer.name,
                entry.order.number,
                entry.product.code,
                entry.quantity,
                entry.unit_price,
                entry.amount,
                entry.currency,
                KIND_ZH.get(entry.kind, entry.kind),
                STATE_ZH.get(view.state, view.state),
                view.received_on,
                ", ".join(view.invoices),
                view.invoiced_amount,
                view.paid_amount,
                view.open_amount,
            ]
        )
    totals = ledger_totals(views)
    open_total = sum((v.open_amount for v in views), Decimal("0.00"))
    rows.append(
        [
            TOTAL_LABEL,
            "",
            "",
            "",
            "",
            "",
            totals.quantity,
            None,
            totals.amount,
            "",
            "",
            "",
            None,
            "",
            totals.invoiced,
            totals.paid,
            open_total,
        ]
    )
    return rows


MONTHLY_COLUMNS = [
    XColumn("客户编码", 10),
    XColumn("客户", 22),
    XColumn("月份", 9),
    XColumn("期初未收", 12, MONEY),
    XColumn("本月发货", 12, MONEY),
    XColumn("本月开票", 12, MONEY),
    XColumn("本月收款", 12, MONEY),
    XColumn("期末未开票", 12, MONEY),
    XColumn("期末应收", 12, MONEY),
    XColumn("期末未收", 12, MONEY),
]


def monthly_rows(monthly: list[dict]) -> list[list]:
    return [
        [
            row["customer"].code,
            row["customer"].name,
            row["month"],
            row["opening_outstanding"],
            row["shipped"],
            row["invoiced"],
            row["paid"],
            row["uninvoiced"],
            row["receivable"],
            row["outstanding"],
        ]
        for row in monthly
    ]


def ledger_xlsx(*, views: list[EntryView], monthly: list[dict] | None = None) -> bytes:
    sheets = [XSheet("发出商品台账", LEDGER_COLUMNS, ledger_rows(views))]
    if monthly is not None:
        sheets.append(XSheet("客户月度余额", MONTHLY_COLUMNS, monthly_rows(monthly)))
    return xlsx_bytes(sheets)


def ledger_export_response(
    *,
    request: HttpRequest | None,
    user: User,
    views: list[EntryView],
    monthly: list[dict] | None,
    as_of: dt.date,
    filters: dict | None = None,
) -> HttpResponse:
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        what="ledger",
        data={
            "rows": len(views),
            "as_of": as_of.isoformat(),
            "filters": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in (filters or {}).items()
            },
        },
        request=request,
    )
    sheets = [XSheet("发出商品台账", LEDGER_COLUMNS, ledger_rows(views))]
    if monthly is not None:
        sheets.append(XSheet("客户月度余额", MONTHLY_COLUMNS, monthly_rows(monthly)))
    return xlsx_response(filename=f"发出商品台账-{as_of.isoformat()}.xlsx", sheets=sheets)


INVOICE_COLUMNS = [
    XColumn("发票号", 16),
    XColumn("客户编码", 10),
    XColumn("客户", 22),
    XColumn("币种", 6),
    XColumn("开票日期", 11),
    XColumn("到期日", 11),
    XColumn("发票金额", 12, MONEY),
    XColumn("未收金额", 12, MONEY),
    XColumn("账龄(天)", 9),
    XColumn("账龄区间", 9),
    XColumn("逾期(天)", 9),
]


def receivables_sheets(ageing: dict) -> list[XSheet]:
    invoices = ageing["invoices"]
    invoice_rows = [
        [
            i.number,
            i.customer.code,
            i.customer.name,
            i.currency,
            i.invoice_date,
            i.due_date,
            i.total_amount,
            i.open_as_of,
            i.age_days,
            i.bucket,
            i.overdue_days,
        ]
        for i in invoices
    ]
    invoice_rows.append(
        [
            TOTAL_LABEL,
            "",
            "",
            "",
            None,
            None,
            sum((i.total_amount for i in invoices), Decimal("0.00")),
            ageing["total"],
            None,
            "",
            None,
        ]
    )
    labels = ageing["labels"]
    ageing_columns = [XColumn("客户编码", 10), XColumn("客户", 22)]
    ageing_columns += [XColumn(f"{label}天", 12, MONEY) for label in labels] + [XColumn("合计", 12, MONEY)]
    ageing_rows = [
        [
            row["customer"].code,
            row["customer"].name,
            *[row["buckets"][label] for label in labels],
            row["total"],
        ]
        for row in ageing["customers"]
    ]
    ageing_rows.append([TOTAL_LABEL, "", *[ageing["totals"][label] for label in labels], ageing["total"]])
    return [
        XSheet(f"应收明细 {ageing['as_of'].isoformat()}", INVOICE_COLUMNS, invoice_rows),
        XSheet("账龄分析", ageing_columns, ageing_rows),
    ]


def receivables_xlsx(*, user: User, as_of: dt.date) -> bytes:
    return xlsx_bytes(receivables_sheets(receivables_ageing(user=user, as_of=as_of)))


def receivables_export_response(*, request: HttpRequest | None, user: User, as_of: dt.date) -> HttpResponse:
    ageing = receivables_ageing(user=user, as_of=as_of)
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        what="receivables",
        data={"rows": len(ageing["invoices"]), "as_of": as_of.isoformat()},
        request=request,
    )
    return xlsx_response(filename=f"应收账龄-{as_of.isoformat()}.xlsx", sheets=receivables_sheets(ageing))
