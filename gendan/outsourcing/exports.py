"""Excel exports of outsourcing: a subcontractor's monthly processing-fee statement (加工费对账单), the
scorecard. Chinese headers (files are for the factory's staff and the subcontractor); every export is logged.

The statement may be handed to the subcontractor: it holds their returns only, our order numbers and their
prices — no customer name, no customer price.
"""

from django.http import HttpRequest, HttpResponse

from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_response
from gendan.core.models import AuditLog
from gendan.outsourcing.models import PROCESS_ZH
from gendan.outsourcing.selectors import FeeStatement, Scorecard

QTY = "#,##0.###"
MONEY = "#,##0.00"
PRICE = "#,##0.00##"


def statement_sheets(statement: FeeStatement) -> list[XSheet]:
    rows = [
        (
            row.returned_on,
            row.number,
            row.order_number,
            row.product,
            PROCESS_ZH.get(row.process, row.process),
            row.unit,
            row.quantity_returned,
            row.quantity_defective,
            row.unit_price,
            row.fee,
            row.deduction,
            "指定金额" if row.explicit_deduction else "不良数×单价",
            row.net,
            row.note,
        )
        for row in statement.rows
    ]
    rows.append(
        (
            None,
            "合计",
            "",
            "",
            "",
            "",
            statement.total_returned,
            statement.total_defective,
            None,
            statement.total_fee,
            statement.total_deduction,
            "",
            statement.total_net,
            "",
        )
    )
    sub = statement.subcontractor
    summary = [
        ("加工厂", f"{sub.code} {sub.name}"),
        ("月份", statement.label),
        ("回厂笔数", len(statement.rows)),
        ("回厂数量", statement.total_returned),
        ("不良数量", statement.total_defective),
        ("加工费", statement.total_fee),
        ("返工扣款", statement.total_deduction),
        ("应付金额", statement.total_net),
    ]
    return [
        XSheet(
            "对账单",
            [
                XColumn("回厂日期", 12),
                XColumn("外协单号", 16),
                XColumn("本厂订单号", 16),
                XColumn("产品", 24),
                XColumn("工序", 10),
                XColumn("单位", 6),
                XColumn("回厂数", 10, QTY),
                XColumn("不良数", 10, QTY),
                XColumn("单价", 10, PRICE),
                XColumn("加工费", 12, MONEY),
                XColumn("扣款", 12, MONEY),
                XColumn("扣款方式", 12),
                XColumn("应付", 12, MONEY),
                XColumn("检验备注", 30),
            ],
            rows,
        ),
        XSheet("汇总", [XColumn("项目", 12), XColumn("内容", 30)], summary),
    ]


def statement_response(*, statement: FeeStatement, user, request: HttpRequest | None = None) -> HttpResponse:
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        what="outsourcing_fee_statement",
        object_ref=f"{statement.subcontractor.code}:{statement.label}",
        data={"rows": len(statement.rows), "net": str(statement.total_net)},
        request=request,
    )
    return xlsx_response(
        filename=f"加工费对账单-{statement.subcontractor.code}-{statement.label}.xlsx",
        sheets=statement_sheets(statement),
    )


def scorecard_response(
    *, cards: list[Scorecard], label: str, user, request: HttpRequest | None = None
) -> HttpResponse:
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        what="outsourcing_scorecard",
        object_ref=label,
        data={"rows": len(cards), "subcontractors": len(cards)},
        request=request,
    )
    rows = [
        (
            c.subcontractor.code,
            c.subcontractor.name,
            c.orders_due,
            c.orders_on_time,
            c.on_time_rate,
            c.quantity_returned,
            c.quantity_defective,
            c.defect_rate,
            c.fee,
            c.deduction,
            c.cost,
            c.open_orders,
            c.overdue_orders,
        )
        for c in cards
    ]
    return xlsx_response(
        filename=f"外协厂评分-{label}.xlsx",
        sheets=[
            XSheet(
                "外协厂评分",
                [
                    XColumn("编码", 10),
                    XColumn("加工厂", 24),
                    XColumn("到期单数", 10),
                    XColumn("准时回厂单数", 12),
                    XColumn("准时率%", 10, "0.0"),
                    XColumn("回厂数", 12, QTY),
                    XColumn("不良数", 12, QTY),
                    XColumn("不良率%", 10, "0.00"),
                    XColumn("加工费", 12, MONEY),
                    XColumn("扣款", 12, MONEY),
                    XColumn("成本", 12, MONEY),
                    XColumn("在制单数", 10),
                    XColumn("逾期单数", 10),
                ],
                rows,
            )
        ],
    )
