"""Order import (/orders/import/): preview with row and column errors, all-or-nothing commit, CLI."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gendan.core.excel import ImportRejected, read_sheet
from gendan.orders.imports import ORDER_COLUMNS, order_import_commit, order_import_plan
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderLineSize
from gendan.orders.services import order_create
from tests.bounds import peak_memory
from tests.factories import ProductFactory, order_payload
from tests.files.conftest import client_for, sheet_rows, upload, xlsx
from tests.files.test_excel import zip_bomb

HEADER = [
    "客户编码",
    "客户订单号",
    "下单日期",
    "要求交期",
    "业务类型",
    "币种",
    "客户要求",
    "产品编码",
    "颜色",
    "规格",
    "数量",
    "单价",
    "溢短装%",
    "尺码配比",
]


def order_rows(customer, products, *, orders: int, lines: int) -> list[list]:
    rows = [list(HEADER)]  # a copy: tests append columns to their own header row
    for o in range(orders):
        for n in range(lines):
            first = n == 0
            rows.append(
                [
                    customer.code,
                    f"PO-{o:03d}",
                    dt.datetime(2026, 11, 27) if first else None,
                    "2027-01-15" if first else None,
                    "订单跟单" if first else None,
                    "人民币" if first else None,
                    f"第{o}单：按确认样生产" if first else None,
                    products[n % len(products)].code,
                    ["红", "白", "黑", "蓝", "灰"][n % 5],
                    "180g",
                    100,
                    12.5,
                    3,
                    "S:30 M:40 L:30",
                ]
            )
    return rows


@pytest.fixture
def products(db):
    return [ProductFactory() for _ in range(3)]


def _preview(client, data: bytes, name: str = "orders.xlsx"):
    return client.post(reverse("order_import"), {"file": upload(name, data)})


def test_valid_200_line_file_imports_in_one_go(people, customer, products):
    # given a customer's file of 40 orders × 5 lines (200 rows)
    data = xlsx(order_rows(customer, products, orders=40, lines=5))
    client = client_for(people["m1"])
    # when m1 uploads it, the preview lists every row and finds no error
    response = _preview(client, data)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok and len(preview.rows) == 200
    assert ("Orders", "40") in preview.summary and ("Order lines", "200") in preview.summary
    token = response.context["token"]
    assert Order.objects.count() == 0  # the preview saves nothing
    # and confirms it
    response = client.post(reverse("order_import"), {"token": token})
    assert response.status_code == 302
    # then 40 orders with 200 lines and 600 size cells exist, numbered consecutively
    assert Order.objects.count() == 40
    assert OrderLine.objects.count() == 200
    assert OrderLineSize.objects.count() == 600
    numbers = sorted(Order.objects.values_list("number", flat=True))
    assert numbers == [f"SO2026-{n:06d}" for n in range(1, 41)]
    first = Order.objects.get(customer_po="PO-000")
    assert first.total_quantity == Decimal("500")
    assert first.total_amount == Decimal("6250.00")
    assert first.merchandiser == people["m1"] and first.salesperson == people["sales"]
    assert first.requirements == "第0单：按确认样生产"
    assert [line.color for line in first.lines.order_by("line_no")] == ["红", "白", "黑", "蓝", "灰"]
    event = first.events.get()
    assert event.type == OrderEvent.Type.IMPORTED
    assert event.data["file"] == "orders.xlsx" and event.data["rows"] == [2, 3, 4, 5, 6]
    # the stashed upload is gone, and the token cannot be replayed
    assert client.post(reverse("order_import"), {"token": token}).status_code == 302
    assert Order.objects.count() == 40


def test_one_bad_row_imports_nothing_and_names_row_and_column(people, customer, products):
    rows = order_rows(customer, products, orders=3, lines=2)
    rows[4][10] = -3  # sheet row 5: the quantity of order PO-001's first line
    client = client_for(people["m1"])
    response = _preview(client, xlsx(rows))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert not preview.ok
    assert [(issue.row, issue.column) for issue in preview.issues] == [(5, "数量")]
    assert "token" not in response.context  # nothing to confirm
    page = response.content.decode()
    assert "数量" in page and str(preview.issues[0]) in page
    assert str(preview.issues[0]).startswith("Row 5 · 数量:")
    # the service refuses it too, whoever calls it
    with pytest.raises(ImportRejected) as exc:
        order_import_commit(data=xlsx(rows), actor=people["m1"])
    assert exc.value.preview.issues[0].row == 5
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0


def test_errors_of_lines_land_on_their_own_rows_even_when_an_order_is_spread_out(people, customer, products):
    # given an order whose two lines are rows 2 and 4, with a wrong size breakdown on row 4
    rows = order_rows(customer, products, orders=2, lines=1)
    second_line = list(rows[1])
    second_line[2:7] = [None] * 5
    second_line[13] = "S:30 M:40"  # 70, not 100
    rows.append(second_line)
    rows[2][3] = "2026-11-01"  # row 3 (PO-001): requested before the order date
    plan = order_import_plan(data=xlsx(rows), actor=people["m1"])
    issues = {(issue.row, issue.column) for issue in plan.preview.issues}
    assert issues == {(4, "尺码配比"), (3, "要求交期")}
    assert [row.number for row in plan.groups[0].rows] == [2, 4]


def test_a_later_row_may_not_contradict_the_order_header(people, customer, products):
    rows = order_rows(customer, products, orders=1, lines=2)
    rows[2][2] = "2026-11-30"  # row 3 gives another order date for PO-000
    preview = order_import_plan(data=xlsx(rows), actor=people["m1"]).preview
    assert [(i.row, i.column) for i in preview.issues] == [(3, "下单日期")]


def test_english_titles_and_unknown_things(people, customer, other_customer, products):
    rows = [
        ["Customer", "Customer PO", "Order date", "Requested date", "Product code", "Quantity", "Unit price"],
        [customer.code, "A-1", "2026-11-27", "2027-01-10", products[0].code, 10, 2],
        [other_customer.code, "A-2", "2026-11-27", "2027-01-10", products[0].code, 10, 2],  # m3's customer
        [customer.code, "A-3", "2026-11-27", "2027-01-10", "NO-SUCH", 10, 2],
        [customer.code, "A-4", "2026-11-27", "2027-01-10", products[0].code, "ten", 2],
    ]
    preview = order_import_plan(data=xlsx(rows), actor=people["m1"]).preview
    assert [(i.row, i.column) for i in preview.issues] == [
        (3, "Customer"),
        (4, "Product code"),
        (5, "Quantity"),
    ]
    assert "Unknown customer." in str(preview.issues[0])  # out of m1's scope looks unknown


def test_a_po_already_on_file_needs_a_confirmed_repeat(people, customer, products):
    existing = order_create(
        actor=people["m1"], data=order_payload(customer, products[0], customer_po="PO-000")
    )
    rows = order_rows(customer, products, orders=1, lines=1)
    preview = order_import_plan(data=xlsx(rows), actor=people["m1"]).preview
    assert [(i.row, i.column) for i in preview.issues] == [(2, "客户订单号")]
    assert existing.number in preview.issues[0].message
    # with the repeat confirmed and a reason, it imports and the repeat is on the timeline
    rows[0] += ["确认重复下单", "重复原因"]
    rows[1] += ["是", "客户追加同款"]
    orders = order_import_commit(data=xlsx(rows), actor=people["m1"])
    assert orders[0].is_repeat
    assert orders[0].events.filter(type=OrderEvent.Type.DUPLICATE_CONFIRMED).exists()


def test_the_confirm_token_belongs_to_the_uploading_session(people, customer, products):
    data = xlsx(order_rows(customer, products, orders=1, lines=1))
    response = _preview(client_for(people["m1"]), data)
    token = response.context["token"]
    # another user (or session) cannot commit the stashed file
    other = client_for(people["sup"])
    assert other.post(reverse("order_import"), {"token": token}).status_code == 302
    assert other.post(reverse("order_import"), {"token": "../../etc/passwd"}).status_code == 302
    assert Order.objects.count() == 0


def test_file_problems_are_messages_not_errors(people):
    client = client_for(people["m1"])
    for name, data, expected in [
        ("orders.xlsx", "客户编码,数量\nC001,1\n".encode(), "not an Excel workbook"),
        ("orders.xlsx", b"", "The file is empty."),
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not an Excel workbook"),
        ("orders.xlsx", xlsx([["名称"], ["x"]]), "Missing columns"),
    ]:
        response = _preview(client, data, name)
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert Order.objects.count() == 0


def test_zip_bomb_upload_is_rejected_quickly(people):
    bomb = zip_bomb(200)
    client = client_for(people["m1"])
    with peak_memory() as peak:
        response = _preview(client, bomb)
    assert response.status_code == 400
    assert "suspiciously" in response.content.decode()
    assert peak.mb < 32, peak.mb  # the 200 MB entry was never inflated


def test_roles_that_cannot_take_orders_cannot_import(people):
    assert client_for(people["auditor"]).get(reverse("order_import")).status_code == 403
    assert client_for(people["planner"]).get(reverse("order_import")).status_code == 403
    page = client_for(people["m1"]).get(reverse("order_import"))
    assert page.status_code == 200 and "客户编码" in page.content.decode()


def test_template_has_every_column(people):
    response = client_for(people["m1"]).get(reverse("order_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header = sheet_rows(response.content)[0]
    assert list(header) == [column.title for column in ORDER_COLUMNS]
    sheet = read_sheet(response.content, ORDER_COLUMNS)  # the template reads back as an (empty) import
    assert sheet.columns == [column.key for column in ORDER_COLUMNS] and sheet.rows == []


def test_command_previews_then_commits(people, customer, products, tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx(order_rows(customer, products, orders=2, lines=3)))
    out = io.StringIO()
    call_command("import_orders", str(path), "--user", "m1", stdout=out)
    assert "Orders: 2" in out.getvalue() and "--commit" in out.getvalue()
    assert Order.objects.count() == 0
    out = io.StringIO()
    call_command("import_orders", str(path), "--user", "m1", "--commit", stdout=out)
    assert "SO2026-000001" in out.getvalue() and "SO2026-000002" in out.getvalue()
    assert Order.objects.count() == 2 and OrderLine.objects.count() == 6


def test_command_prints_row_errors_and_saves_nothing(people, customer, products, tmp_path):
    rows = order_rows(customer, products, orders=2, lines=1)
    rows[2][11] = -1  # row 3, unit price
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_orders", str(path), "--user", "m1", "--commit", stdout=io.StringIO(), stderr=err)
    assert "Row 3 · 单价:" in err.getvalue()
    assert Order.objects.count() == 0


def test_a_po_on_an_order_outside_the_importers_scope_names_no_order(people, products):
    """Issue 21 item 6, the import path: m2 imports a PO that is on m1's order of a customer m2 handles."""
    from tests.factories import CustomerFactory

    shared = CustomerFactory(merchandiser=people["m2"])
    hidden = order_create(
        actor=people["sup"],
        data=order_payload(shared, products[0], customer_po="PO-000", merchandiser=people["m1"].username),
    )
    rows = order_rows(shared, products, orders=1, lines=1)
    rows[0] = [*rows[0], "确认重复下单", "重复原因"]  # a new list: HEADER itself stays as it is
    rows[1] += ["是", "客户追加同款"]  # a confirmed repeat does not help: the supervisor decides
    preview = order_import_plan(data=xlsx(rows), actor=people["m2"]).preview
    assert [(i.row, i.column) for i in preview.issues] == [(2, "客户订单号")]
    assert "Ask your supervisor" in preview.issues[0].message
    assert hidden.number not in preview.issues[0].message
