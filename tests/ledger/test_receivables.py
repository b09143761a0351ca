import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import load_workbook

from gendan.core.errors import PermissionDeniedError, ValidationFailed
from gendan.core.models import DocumentCounter
from gendan.ledger.exports import receivables_xlsx
from gendan.ledger.models import Invoice, InvoiceEvent, InvoiceStatus, Payment, PaymentState
from gendan.ledger.selectors import (
    dunning_list,
    invoice_list,
    invoiceable_lines,
    ledger_reconcile,
    receivables_ageing,
)
from gendan.ledger.services import (
    InvoicePaidError,
    InvoiceQuantityError,
    OverPaymentError,
    invoice_cancel,
    invoice_create,
    invoice_due_date,
    payment_record,
    receivables_overdue_remind,
)
from gendan.notify.models import Notification
from gendan.reviews.selectors import credit_check
from gendan.shipping.services import shipment_create
from tests.q2c import order_in_production, shipment_payload, today

D1 = dt.date(2026, 12, 10)


@pytest.fixture
def order(people, customer, product):
    return order_in_production(people, customer, product)


def ship(order, people, quantities, day=D1, by="m1"):
    with today(day):
        return shipment_create(
            order=order, actor=people[by], data=shipment_payload(order, quantities, ship_date=day)
        )


def invoice(people, data, day=D1, by="m1"):
    with today(day):
        return invoice_create(actor=people[by], data={"invoice_date": day.isoformat(), **data})


def pay(people, allocations, day, by="finance", **extra):
    with today(day):
        return payment_record(
            actor=people[by],
            data={
                "received_on": day.isoformat(),
                "allocations": [{"invoice": i.pk, "amount": a} for i, a in allocations],
                **extra,
            },
        )


@pytest.mark.parametrize(
    ("terms", "days", "expected"),
    [
        ("monthly", 30, dt.date(2027, 1, 30)),  # 月结30天: end of December + 30
        ("monthly", 60, dt.date(2027, 3, 1)),
        ("net", 45, dt.date(2027, 1, 24)),
        ("prepayment", 30, dt.date(2026, 12, 10)),
        ("deposit", 30, dt.date(2026, 12, 10)),
        ("cash", 0, dt.date(2026, 12, 10)),
    ],
)
def test_due_date_from_payment_terms(terms, days, expected):
    assert invoice_due_date(terms=terms, days=days, invoice_date=D1) == expected


def test_invoice_over_several_shipments_and_a_part_line(people, order):
    first = ship(order, people, {1: "60"})
    second = ship(order, people, {1: "40", 2: "200"})
    line2 = second.lines.get(line_no=2)
    inv = invoice(
        people, {"shipments": [first.pk], "lines": [{"shipment_line": line2.pk, "quantity": "150"}]}
    )
    assert inv.number == "IV2026-000001" and inv.due_date == dt.date(2027, 1, 30)  # customer: 月结30天
    assert inv.total_amount == Decimal("750.00") + Decimal("1200.00")
    assert [(line.quantity, line.amount) for line in inv.lines.order_by("line_no")] == [
        (Decimal("60"), Decimal("750.00")),
        (Decimal("150"), Decimal("1200.00")),
    ]
    remaining = {
        (item.line.shipment.number, item.line.line_no): item.remaining
        for item in invoiceable_lines(user=people["m1"])
    }
    assert remaining == {(second.number, 1): Decimal("40"), (second.number, 2): Decimal("50")}
    assert ledger_reconcile().ok


def test_invoicing_an_unshipped_quantity_is_refused_and_nothing_is_saved(people, order):
    shipment = ship(order, people, {1: "60"})
    line = shipment.lines.get()
    invoice(people, {"lines": [{"shipment_line": line.pk, "quantity": "50"}]})
    counter = DocumentCounter.objects.get(series="IV", year=2026).last
    with pytest.raises(InvoiceQuantityError) as exc:
        invoice(people, {"lines": [{"shipment_line": line.pk, "quantity": "11"}]})
    assert exc.value.code == "invoice_over_shipped"
    assert "60 shipped and 50 already invoiced, so at most 10 can be invoiced, not 11" in exc.value.message
    assert Invoice.objects.count() == 1
    assert DocumentCounter.objects.get(series="IV", year=2026).last == counter
    # the rest takes exactly the rest of the line's amount
    rest = invoice(people, {"lines": [{"shipment_line": line.pk}]})
    assert rest.total_amount + Invoice.objects.exclude(pk=rest.pk).get().total_amount == line.amount


def test_an_invoice_before_the_ship_date_or_of_another_customer_is_refused(people, order, customer, product):
    from tests.factories import CustomerFactory

    shipment = ship(order, people, {1: "60"})
    with pytest.raises(InvoiceQuantityError) as exc:
        invoice(people, {"invoice_date": "2026-12-09", "shipments": [shipment.pk]})
    assert "invoice_date" in exc.value.extra["fields"]
    second_customer = CustomerFactory(merchandiser=people["m1"])
    other = order_in_production(people, second_customer, product, customer_po="PO-2")
    other_shipment = ship(other, people, {1: "10"})
    with pytest.raises(ValidationFailed):
        invoice(people, {"shipments": [shipment.pk, other_shipment.pk]})
    assert not Invoice.objects.exists()


def test_payment_above_the_open_amount_is_refused_and_nothing_is_saved(people, order):
    shipment = ship(order, people, {1: "100"})  # 1,250.00
    inv = invoice(people, {"shipments": [shipment.pk]})
    pay(people, [(inv, "1000.00")], D1)
    with pytest.raises(OverPaymentError) as exc:
        pay(people, [(inv, "250.01")], D1)
    assert "has 250.00 open; a payment of 250.01 would exceed it" in exc.value.message
    inv.refresh_from_db()
    assert inv.paid_amount == Decimal("1000.00") and Payment.objects.count() == 1
    assert inv.payment_state == PaymentState.PARTLY_PAID
    with pytest.raises(ValidationFailed) as exc:
        pay(people, [(inv, "100.00")], D1, amount="120.00")  # allocations must add up to the payment
    assert "amount" in exc.value.fields
    with pytest.raises(PermissionDeniedError):
        pay(people, [(inv, "100.00")], D1, by="m1")  # merchandisers chase, finance records


def test_one_payment_over_two_invoices_and_cancelling_an_invoice(people, order):
    first = ship(order, people, {1: "100"})  # 1,250.00
    second = ship(order, people, {2: "100"})  # 800.00
    inv1 = invoice(people, {"shipments": [first.pk]})
    inv2 = invoice(people, {"shipments": [second.pk]})
    payment = pay(people, [(inv1, "1250.00"), (inv2, "300.00")], D1, amount="1550.00", reference="BANK-1")
    assert payment.amount == Decimal("1550.00") and payment.allocations.count() == 2
    inv1.refresh_from_db()
    inv2.refresh_from_db()
    assert inv1.payment_state == PaymentState.PAID and inv2.open_amount == Decimal("500.00")
    with today(D1), pytest.raises(InvoicePaidError):
        invoice_cancel(invoice=inv2, actor=people["m1"], reason="开错")
    third = ship(order, people, {2: "50"})
    inv3 = invoice(people, {"shipments": [third.pk]})
    with today(D1):
        invoice_cancel(invoice=inv3, actor=people["m1"], reason="开错抬头")
    inv3.refresh_from_db()
    assert inv3.status == InvoiceStatus.CANCELLED
    assert any(item.line.shipment == third for item in invoiceable_lines(user=people["m1"]))
    assert ledger_reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payments_cannot_exceed_the_open_amount(people, customer, product):
    order = order_in_production(people, customer, product)
    shipment = ship(order, people, {1: "80"})  # 1,000.00
    inv = invoice(people, {"shipments": [shipment.pk]})
    results: list[str] = []
    barrier = threading.Barrier(2)
    data = {"received_on": D1.isoformat(), "allocations": [{"invoice": inv.pk, "amount": "600.00"}]}

    def worker():
        try:
            barrier.wait()
            payment_record(actor=people["finance"], data=data)
            results.append("ok")
        except OverPaymentError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with today(D1):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == ["ok", "refused"]
    inv.refresh_from_db()
    assert inv.paid_amount == Decimal("600.00")


def test_ageing_buckets_on_given_dates_and_the_export(people, order, customer):
    s1 = ship(order, people, {1: "40"}, day=dt.date(2026, 12, 1))  # 500.00
    s2 = ship(order, people, {1: "40"}, day=dt.date(2026, 12, 2))  # 500.00
    s3 = ship(order, people, {2: "100"}, day=dt.date(2026, 12, 3))  # 800.00
    invoice(people, {"shipments": [s1.pk]}, day=dt.date(2026, 12, 1))
    mid = invoice(people, {"shipments": [s2.pk]}, day=dt.date(2026, 12, 2))
    new = invoice(people, {"shipments": [s3.pk]}, day=dt.date(2026, 12, 3))
    pay(people, [(mid, "200.00")], dt.date(2026, 12, 5))
    pay(people, [(new, "100.00")], dt.date(2026, 12, 6))
    # on 2027-03-05: old is 94 days, mid 93 days, new 92 days old → all > 90
    ageing = receivables_ageing(user=people["m1"], as_of=dt.date(2027, 1, 31))
    # on 2027-01-31: 61, 60 and 59 days
    assert ageing["totals"] == {
        "0-30": Decimal("0.00"),
        "31-60": Decimal("300.00") + Decimal("700.00"),
        "61-90": Decimal("500.00"),
        ">90": Decimal("0.00"),
    }
    # as of 2026-12-05 the payment of the 6th is not yet in: new is still open in full
    early = receivables_ageing(user=people["m1"], as_of=dt.date(2026, 12, 5))
    assert early["totals"]["0-30"] == Decimal("500.00") + Decimal("300.00") + Decimal("800.00")
    assert receivables_ageing(user=people["m2"], as_of=dt.date(2027, 1, 31))["total"] == 0
    # the export: totals equal the screen
    book = load_workbook(
        io.BytesIO(receivables_xlsx(user=people["m1"], as_of=dt.date(2027, 1, 31))), read_only=True
    )
    detail, buckets = (list(ws.iter_rows(values_only=True)) for ws in book.worksheets)
    open_col = detail[0].index("未收金额")
    assert detail[-1][0] == "合计" and Decimal(str(detail[-1][open_col])) == ageing["total"] == Decimal(
        "1500.00"
    )
    assert sum(Decimal(str(r[open_col])) for r in detail[1:-1]) == ageing["total"]
    assert buckets[-1][0] == "合计"
    assert [Decimal(str(v)) for v in buckets[-1][2:]] == [*ageing["totals"].values(), ageing["total"]]


def test_dunning_list_and_weekly_reminders(people, order, customer):
    customer.payment_terms, customer.payment_days = "net", 10
    customer.save()
    shipment = ship(order, people, {1: "40"}, day=dt.date(2026, 12, 1))
    inv = invoice(people, {"shipments": [shipment.pk]}, day=dt.date(2026, 12, 1))
    assert inv.due_date == dt.date(2026, 12, 11)
    assert dunning_list(user=people["m1"], as_of=dt.date(2026, 12, 11)) == []  # due today, not overdue
    (row,) = dunning_list(user=people["m1"], as_of=dt.date(2026, 12, 20))
    assert row == inv and row.overdue_days == 9 and row.orders == [order]
    assert dunning_list(user=people["m2"], as_of=dt.date(2026, 12, 20)) == []
    assert receivables_overdue_remind(as_of=dt.date(2026, 12, 20)) == 1
    assert receivables_overdue_remind(as_of=dt.date(2026, 12, 20)) == 0  # once per week
    assert Notification.objects.filter(kind="receivable.overdue", recipient=people["m1"]).count() == 1
    assert Notification.objects.filter(kind="receivable.overdue", recipient=people["sales"]).count() == 1
    assert InvoiceEvent.objects.filter(invoice=inv, type=InvoiceEvent.Type.REMINDER).count() == 1
    assert receivables_overdue_remind(as_of=dt.date(2026, 12, 28)) == 1  # next week again


def test_open_receivables_feed_the_credit_check(people, order, customer, product):
    from gendan.orders.services import order_create
    from tests.factories import order_payload

    shipment = ship(order, people, {1: "100"})  # 1,250.00 of the 2,850.00 order
    inv = invoice(people, {"shipments": [shipment.pk]})
    with today(D1):
        new = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="PO-NEW"))
    check = credit_check(order=new)
    assert check["receivables"] == Decimal("1250.00")
    assert check["uninvoiced"] == Decimal("1600.00")
    assert check["open_amount"] == Decimal("2850.00")  # invoiced amounts count once
    pay(people, [(inv, "1250.00")], D1)
    check = credit_check(order=new)
    assert check["receivables"] == 0 and check["open_amount"] == Decimal("1600.00")
    customer.credit_limit = Decimal("2000")
    customer.save()
    new.refresh_from_db()
    new.customer.refresh_from_db()
    assert not credit_check(order=new)["ok"]  # 1,600 + this order's 1,250 > 2,000


def test_invoice_scope(people, order, other_customer, product):
    shipment = ship(order, people, {1: "10"})
    mine = invoice(people, {"shipments": [shipment.pk]})
    other = order_in_production(people, other_customer, product, by="m3")
    other_shipment = ship(other, people, {1: "10"}, by="m3")
    theirs = invoice(people, {"shipments": [other_shipment.pk]}, by="m3")
    assert list(invoice_list(user=people["m1"])) == [mine]
    assert list(invoice_list(user=people["m3"])) == [theirs]
    assert not invoice_list(user=people["m2"]).exists()
    with pytest.raises(ValidationFailed):  # m1 cannot invoice m3's shipment: it is unknown to them
        invoice(people, {"shipments": [other_shipment.pk]}, by="m1")


def test_invoice_pdf_total_equals_its_lines(people, order):
    import subprocess

    from gendan.core.pdf import money
    from gendan.ledger.documents import invoice_pdf

    first = ship(order, people, {1: "37"})  # 462.50
    second = ship(order, people, {2: "123.5"})  # 988.00
    inv = invoice(people, {"shipments": [first.pk, second.pk]})
    pay(people, [(inv, "400.00")], D1)
    inv.refresh_from_db()
    data = invoice_pdf(invoice=inv, user=people["m1"])
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    total = sum((line.amount for line in inv.lines.all()), Decimal("0"))
    assert total == inv.total_amount == Decimal("1450.50")
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert money(total) in total_line and "160.5" in total_line
    for expected in (
        "发票",
        "Invoice",
        "对账单",
        "Statement",
        first.number,
        second.number,
        "月结 30 天",
        "30 days",
        money(Decimal("1050.50")),
    ):
        assert expected in text
