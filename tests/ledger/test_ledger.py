import contextlib
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.core.append_only import append_only_triggers_drop, append_only_triggers_install
from gendan.ledger.exports import ledger_xlsx
from gendan.ledger.models import LedgerEntry, LedgerState
from gendan.ledger.selectors import (
    ledger_month_end,
    ledger_monthly_balances,
    ledger_reconcile,
    ledger_totals,
    ledger_views,
)
from gendan.ledger.services import invoice_create, payment_record
from gendan.shipping.services import shipment_cancel, shipment_create, shipment_receive
from tests.q2c import order_in_production, shipment_payload, today

D1 = dt.date(2026, 12, 10)


@contextlib.contextmanager
def triggers_off():
    """Tamper as a schema owner would: without the append-only triggers (put back afterwards)."""
    append_only_triggers_drop([LedgerEntry._meta.db_table])
    try:
        yield
    finally:
        append_only_triggers_install()


@pytest.fixture
def order(people, customer, product):
    return order_in_production(people, customer, product)


def ship(order, people, quantities, day, by="m1"):
    with today(day):
        return shipment_create(
            order=order, actor=people[by], data=shipment_payload(order, quantities, ship_date=day)
        )


def states(user, **kw):
    return [v.state for v in ledger_views(user=user, **kw)]


def test_an_entry_moves_through_every_derived_state(people, order):
    shipment = ship(order, people, {1: "100"}, D1)
    assert states(people["m1"]) == [LedgerState.SHIPPED_NOT_RECEIVED]
    with today(D1 + dt.timedelta(days=2)):
        shipment_receive(shipment=shipment, actor=people["m1"], received_on=D1 + dt.timedelta(days=2))
    assert states(people["m1"]) == [LedgerState.RECEIVED_NOT_INVOICED]
    with today(D1 + dt.timedelta(days=3)):
        invoice = invoice_create(
            actor=people["finance"], data={"invoice_date": "2026-12-13", "shipments": [shipment.pk]}
        )
    assert states(people["m1"]) == [LedgerState.INVOICED_NOT_PAID]
    with today(D1 + dt.timedelta(days=20)):
        payment_record(
            actor=people["finance"],
            data={"received_on": "2026-12-30", "allocations": [{"invoice": invoice.pk, "amount": "250.00"}]},
        )
    (view,) = ledger_views(user=people["m1"])
    assert view.state == LedgerState.PARTLY_PAID and view.open_amount == Decimal("1000.00")
    with today(dt.date(2027, 1, 5)):
        payment_record(
            actor=people["finance"],
            data={"received_on": "2027-01-05", "allocations": [{"invoice": invoice.pk, "amount": "1000.00"}]},
        )
    assert states(people["m1"]) == [LedgerState.PAID]
    # as of earlier dates the same entry shows its earlier states
    assert states(people["m1"], as_of=D1 + dt.timedelta(days=1)) == [LedgerState.SHIPPED_NOT_RECEIVED]
    assert states(people["m1"], as_of=dt.date(2026, 12, 31)) == [LedgerState.PARTLY_PAID]
    assert ledger_reconcile().ok


def test_cancelled_shipment_is_reversed_and_the_ledger_still_equals_the_shipments(people, order):
    kept = ship(order, people, {1: "60"}, D1)
    cancelled = ship(order, people, {2: "50"}, D1)
    with today(D1 + dt.timedelta(days=1)):
        shipment_cancel(shipment=cancelled, actor=people["sup"], reason="重复录入")
    views = ledger_views(user=people["m1"])
    assert [v.state for v in views] == [
        LedgerState.SHIPPED_NOT_RECEIVED,
        LedgerState.REVERSED,
        LedgerState.REVERSED,
    ]
    totals = ledger_totals(views)
    assert (totals.quantity, totals.amount) == (Decimal("60"), kept.total_amount)
    result = ledger_reconcile()
    assert result.ok
    assert (result.ledger_quantity, result.ledger_amount) == (
        result.shipment_quantity,
        result.shipment_amount,
    )


def test_reconciliation_finds_a_tampered_row(people, order):
    ship(order, people, {1: "60"}, D1)
    with triggers_off():  # a raw write behind the services' back, by someone who can drop the triggers
        LedgerEntry.objects.update(amount=Decimal("1.00"))
    result = ledger_reconcile()
    assert not result.ok
    assert any("differs from the shipment line" in p for p in result.problems)
    assert any("Ledger totals" in p for p in result.problems)


def test_ledger_entries_cannot_be_edited_or_deleted(people, order):
    from gendan.core.models import AppendOnlyError

    ship(order, people, {1: "60"}, D1)
    entry = LedgerEntry.objects.get()
    entry.amount = Decimal("0")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_monthly_balances_and_the_month_end_view(people, order):
    december = ship(order, people, {1: "100"}, D1)  # 1,250.00
    january = ship(order, people, {2: "200"}, dt.date(2027, 1, 8))  # 1,600.00
    with today(dt.date(2027, 1, 9)):
        shipment_receive(shipment=december, actor=people["m1"], received_on="2026-12-20")
        invoice = invoice_create(
            actor=people["m1"], data={"invoice_date": "2026-12-31", "shipments": [december.pk]}
        )
        payment_record(
            actor=people["finance"],
            data={"received_on": "2027-01-09", "allocations": [{"invoice": invoice.pk, "amount": "1250.00"}]},
        )
    rows = {row["month"]: row for row in ledger_monthly_balances(user=people["m1"], year=2026)}
    assert set(rows) == {"2026-12"}
    assert (rows["2026-12"]["shipped"], rows["2026-12"]["invoiced"], rows["2026-12"]["paid"]) == (
        Decimal("1250.00"),
        Decimal("1250.00"),
        Decimal("0.00"),
    )
    assert rows["2026-12"]["receivable"] == Decimal("1250.00") and rows["2026-12"]["uninvoiced"] == 0
    rows_2027 = {row["month"]: row for row in ledger_monthly_balances(user=people["m1"], year=2027)}
    jan = rows_2027["2027-01"]
    assert jan["opening_outstanding"] == Decimal("1250.00")
    assert (jan["shipped"], jan["paid"], jan["outstanding"]) == (
        january.total_amount,
        Decimal("1250.00"),
        Decimal("1600.00"),
    )
    view = ledger_month_end(user=people["m1"], year=2026, month=12)
    assert [v.state for v in view["open_entries"]] == [LedgerState.INVOICED_NOT_PAID]
    assert view["open_totals"].amount == Decimal("1250.00")
    # outside the scope: nothing
    assert ledger_monthly_balances(user=people["m3"], year=2026) == []


def test_ledger_export_opens_and_its_totals_match_the_screen(people, order):
    ship(order, people, {1: "60"}, D1)
    cancelled = ship(order, people, {2: "30.5"}, D1)
    with today(D1):
        shipment_cancel(shipment=cancelled, actor=people["sup"], reason="x")
    ship(order, people, {2: "199"}, D1 + dt.timedelta(days=1))
    views = ledger_views(user=people["m1"])
    totals = ledger_totals(views)
    data = ledger_xlsx(views=views, monthly=ledger_monthly_balances(user=people["m1"], year=2026))
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body, total_row = rows[0], rows[1:-1], rows[-1]
    qty_col, amount_col = header.index("数量"), header.index("金额")
    assert len(body) == len(views) == 4
    assert total_row[0] == "合计"
    assert Decimal(str(total_row[amount_col])) == totals.amount == Decimal("2342.00")
    assert Decimal(str(total_row[qty_col])) == totals.quantity == Decimal("259")
    assert sum(Decimal(str(r[amount_col])) for r in body) == totals.amount


def test_a_merchandiser_never_sees_another_merchandisers_ledger(people, order, other_customer, product):
    ship(order, people, {1: "10"}, D1)
    other = order_in_production(people, other_customer, product, by="m3")
    ship(other, people, {1: "20"}, D1, by="m3")
    assert [v.entry.order for v in ledger_views(user=people["m1"])] == [order]
    assert ledger_views(user=people["m2"]) == []
    assert [v.entry.order for v in ledger_views(user=people["m3"])] == [other]
    assert len(ledger_views(user=people["auditor"])) == 2


def test_the_scan_command_reconciles_and_fails_loudly(people, order):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    ship(order, people, {1: "60"}, D1)
    out = StringIO()
    call_command("ledger_scan", "--today", "2026-12-11", stdout=out)
    summary = json.loads(out.getvalue())
    assert (
        summary["reconciled"] is True and summary["ledger_amount"] == summary["shipment_amount"] == "750.00"
    )
    with triggers_off():
        LedgerEntry.objects.update(quantity=Decimal("59"))
    with pytest.raises(CommandError):
        call_command("ledger_scan", "--today", "2026-12-11", stdout=StringIO())
