"""Scenario (外协加工管理): plan → outsourcing order issued → dispatch → partial return with defects → overdue →
exception on the order; the rest comes back; the month's fee statement with rework deductions, its Excel
file, the printed outsourcing order (pdftotext) and the subcontractor's scorecard."""

import datetime as dt
import io
import subprocess
from decimal import Decimal

import openpyxl

from gendan.followup.models import ExceptionType, FollowupException
from gendan.orders.models import OrderEvent
from gendan.outsourcing import selectors, services
from gendan.outsourcing.exports import statement_response
from gendan.outsourcing.models import OutsourcingOrderEvent, OutsourcingReturn, OutsourcingStatus
from gendan.outsourcing.pdf import outsourcing_order_pdf
from tests.outsourcing.conftest import frozen

D = dt.date


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True, timeout=30
    )
    return result.stdout.decode("utf-8")


def test_outsourcing_from_plan_to_statement(people, order, printer, web):
    m1 = people["m1"]
    customer_name = order.customer.name

    # Given the order's outsourcing plan: printing of all 300 pieces at the printer, out 11-30, back 12-07
    with frozen(D(2026, 11, 27)):
        item = services.plan_item_create(
            order=order,
            actor=m1,
            data={
                "process": "printing",
                "process_detail": "前幅四色胶浆印花",
                "subcontractor": printer.pk,
                "quantity": "300",
                "planned_send_date": "2026-11-30",
                "planned_return_date": "2026-12-07",
            },
        )
        # When the merchandiser places the outsourcing order from the plan, at 1.25 a piece, and issues it
        oo = services.outsourcing_order_create(
            order=order,
            actor=m1,
            data={
                "plan_item": item.pk,
                "unit_price": "1.25",
                "materials_issued": "裁片 300 片（红 100，蓝 200）\n印花网版 2 块",
                "quality_requirements": "颜色按确认样；附着力测试合格；不良率 ≤ 3%",
            },
        )
        assert (oo.number, oo.status, oo.amount) == (
            "WX2026-000001",
            OutsourcingStatus.DRAFT,
            Decimal("375.00"),
        )
        assert (oo.subcontractor, oo.process, oo.quantity, oo.due_date) == (
            printer,
            "printing",
            Decimal("300"),
            D(2026, 12, 7),
        )
        oo = services.outsourcing_order_issue(outsourcing_order=oo, actor=m1)
    assert oo.status == OutsourcingStatus.ISSUED

    # And all 300 pieces go out on 11-30
    with frozen(D(2026, 11, 30)):
        services.outsourcing_dispatch_record(outsourcing_order=oo, actor=m1, data={"quantity": "300"})
    # When 200 come back on 12-04, 12 of them defective at the incoming inspection
    with frozen(D(2026, 12, 4)):
        services.outsourcing_return_record(
            outsourcing_order=oo,
            actor=people["qc"],
            data={"quantity_returned": "200", "quantity_defective": "12", "inspection_note": "12 件印花脱落"},
        )
    oo.refresh_from_db()
    # Then the order is partially returned, 100 still at the printer
    assert oo.status == OutsourcingStatus.PARTIALLY_RETURNED
    assert (oo.quantity_dispatched, oo.quantity_returned, oo.quantity_defective) == (300, 200, 12)
    assert (oo.quantity_at_subcontractor, oo.quantity_outstanding, oo.quantity_good) == (100, 100, 188)
    first = OutsourcingReturn.objects.get(outsourcing_order=oo)
    assert (first.fee_amount, first.deduction_amount, first.net_amount) == (
        Decimal("250.00"),
        Decimal("15.00"),  # 12 × 1.25
        Decimal("235.00"),
    )

    # When the scan runs on the due date, nothing is overdue yet
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 7))["raised"] == 0
    assert not FollowupException.objects.filter(order=order).exists()
    # When it runs the day after, the late return becomes an outsourcing exception on the order
    with frozen(D(2026, 12, 8)):
        counts = services.outsourcing_overdue_scan(today=D(2026, 12, 8))
    assert counts == {"checked": 1, "raised": 1, "via_followup": 1, "via_event": 0}
    exception = FollowupException.objects.get(order=order)
    assert exception.type == ExceptionType.OUTSOURCING
    assert oo.number in exception.title and printer.name in exception.title and "100" in exception.title
    assert order.events.filter(type=OrderEvent.Type.EXCEPTION_RAISED).count() == 1
    assert oo.events.filter(type=OutsourcingOrderEvent.Type.OVERDUE).count() == 1
    # And the scan is idempotent: again that day, or the next, nothing new
    with frozen(D(2026, 12, 9)):
        assert services.outsourcing_overdue_scan(today=D(2026, 12, 8))["raised"] == 0
        assert services.outsourcing_overdue_scan(today=D(2026, 12, 9))["raised"] == 0
    assert FollowupException.objects.filter(order=order).count() == 1
    assert [
        o.pk
        for o in selectors.outsourcing_order_list(user=m1, filters={"overdue": "1"}, today=D(2026, 12, 9))
    ] == [oo.pk]

    # When the last 100 come back on 12-10 with a deduction agreed at 5.00, and the order is closed
    with frozen(D(2026, 12, 10)):
        services.outsourcing_return_record(
            outsourcing_order=oo,
            actor=m1,
            data={"quantity_returned": "100", "quantity_defective": "0", "deduction_amount": "5.00"},
        )
        oo.refresh_from_db()
        assert oo.status == OutsourcingStatus.RETURNED
        oo = services.outsourcing_order_close(outsourcing_order=oo, actor=m1)
    assert oo.status == OutsourcingStatus.CLOSED
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 20))["checked"] == 0

    # Then the December statement of the printer: 375.00 of fees, 20.00 deducted, 355.00 payable
    statement = selectors.fee_statement(user=m1, subcontractor=printer, year=2026, month=12)
    assert [
        (r.returned_on, r.quantity_returned, r.quantity_defective, r.fee, r.deduction, r.net)
        for r in statement.rows
    ] == [
        (D(2026, 12, 4), 200, 12, Decimal("250.00"), Decimal("15.00"), Decimal("235.00")),
        (D(2026, 12, 10), 100, 0, Decimal("125.00"), Decimal("5.00"), Decimal("120.00")),
    ]
    assert (statement.total_returned, statement.total_defective) == (Decimal("300"), Decimal("12"))
    assert (statement.total_fee, statement.total_deduction, statement.total_net) == (
        Decimal("375.00"),
        Decimal("20.00"),
        Decimal("355.00"),
    )
    assert selectors.fee_statement(user=m1, subcontractor=printer, year=2026, month=11).rows == []
    # And its Excel file carries the same totals, and nothing of the customer
    response = statement_response(statement=statement, user=m1)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["对账单"].iter_rows(values_only=True))
    assert rows[0][:3] == ("回厂日期", "外协单号", "本厂订单号")
    assert rows[1][1] == "WX2026-000001" and rows[1][2] == order.number
    total = rows[-1]
    assert total[1] == "合计"
    assert [Decimal(str(v)) for v in (total[6], total[7], total[9], total[10], total[12])] == [
        Decimal("300"),
        Decimal("12"),
        Decimal("375"),
        Decimal("20"),
        Decimal("355"),
    ]
    assert customer_name not in str(rows)
    summary = dict(book["汇总"].iter_rows(values_only=True))
    assert Decimal(str(summary["应付金额"])) == Decimal("355")

    # And the printed outsourcing order (外协加工单) is real text: number, title, subcontractor, process
    text = pdf_text(outsourcing_order_pdf(outsourcing_order=oo, printed_by=m1))
    assert "外协加工单" in text
    assert "WX2026-000001" in text
    assert "东莞精彩印花厂" in text
    assert "印花" in text and "375.00" in text and "1.25" in text
    assert "附着力测试合格" in text and "印花网版" in text
    assert "12 件印花脱落" in text
    # but neither the customer's name nor the customer's prices (12.50, 8.00) appear
    assert customer_name not in text
    assert "12.50" not in text and "8.00" not in text
    # The PDF through the screen is the same document, and the print is on the timeline
    page = web("m1").get(f"/outsourcing/{oo.pk}/pdf/")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert "WX2026-000001" in pdf_text(page.content)
    assert order.events.filter(type=OrderEvent.Type.PRINTED, data__number="WX2026-000001").exists()

    # And the scorecard of December: 1 order due, not fully back by its due date; 4 % defective; cost 355
    (card,) = selectors.subcontractor_scorecard(
        user=m1, date_from=D(2026, 12, 1), date_to=D(2026, 12, 31), today=D(2026, 12, 31)
    )
    assert card.subcontractor == printer
    assert (card.orders_due, card.orders_on_time, card.on_time_rate) == (1, 0, Decimal("0.0"))
    assert (card.quantity_returned, card.quantity_defective, card.defect_rate) == (300, 12, Decimal("4.00"))
    assert (card.fee, card.deduction, card.cost) == (Decimal("375.00"), Decimal("20.00"), Decimal("355.00"))
    assert (card.open_orders, card.overdue_orders) == (0, 0)

    # The timeline of the order tells the story
    types = list(order.events.values_list("type", flat=True))
    for kind in (
        OrderEvent.Type.OUTSOURCING_PLANNED,
        OrderEvent.Type.OUTSOURCING_ISSUED,
        OrderEvent.Type.OUTSOURCING_DISPATCHED,
        OrderEvent.Type.OUTSOURCING_RETURNED,
        OrderEvent.Type.OUTSOURCING_CLOSED,
    ):
        assert kind in types, kind
