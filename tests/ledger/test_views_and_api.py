"""The screens and the API over the same services: pages render in scope, forms show the services'
messages, exports equal the screens, errors come back as {message, code, extra} with a 4xx."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from gendan.accounts.services import api_token_create
from gendan.core.models import AuditLog
from gendan.ledger.models import Invoice, Payment
from gendan.ledger.selectors import ledger_totals, ledger_views, receivables_ageing
from gendan.ledger.services import invoice_create, payment_record
from gendan.shipping.models import Shipment
from gendan.shipping.services import shipment_create, shipment_receive
from tests.q2c import order_in_production, shipment_payload, today

DAY = dt.date(2026, 12, 10)


class Api:
    def __init__(self, user) -> None:
        _token, key = api_token_create(user=user, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params or None, **self.headers)

    def post(self, path, body):
        return self.client.post(
            "/api/v1" + path, json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.fixture
def shipped(people, customer, product):
    order = order_in_production(people, customer, product)
    with today(DAY):
        first = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "60"}, ship_date=DAY)
        )
        second = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {2: "200"}, ship_date=DAY)
        )
        shipment_receive(shipment=first, actor=people["m1"], received_on=DAY)
        invoice = invoice_create(actor=people["m1"], data={"invoice_date": DAY, "shipments": [first.pk]})
        payment_record(
            actor=people["finance"],
            data={"received_on": DAY, "allocations": [{"invoice": invoice.pk, "amount": "100.00"}]},
        )
    return order, first, second, invoice


PAGES = [
    "/shipping/",
    "/shipping/samples/",
    "/ledger/",
    "/ledger/?state=shipped_not_received",
    "/ledger/month-end/?year=2026&month=12",
    "/ledger/balances/?year=2026",
    "/ledger/invoices/",
    "/ledger/invoices/new/",
    "/ledger/payments/",
    "/ledger/payments/new/",
    "/ledger/receivables/?as_of=2026-12-31",
    "/ledger/dunning/?as_of=2027-03-01",
    "/quotes/",
    "/quotes/new/",
    "/quotes/inquiries/",
    "/quotes/inquiries/new/",
    "/complaints/",
    "/complaints/new/",
    "/visits/",
    "/visits/satisfaction/",
    "/",
]


@pytest.mark.parametrize("who", ["m1", "sup", "finance", "auditor", "admin"])
def test_every_page_renders(client, people, shipped, who):
    order, first, second, invoice = shipped
    client.force_login(people[who])
    with today(DAY):
        for url in [
            *PAGES,
            f"/shipping/{first.pk}/",
            f"/ledger/invoices/{invoice.pk}/",
            f"/shipping/new/{order.pk}/",
        ]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)


def test_pages_and_documents_outside_the_scope_are_404(client, people, shipped):
    order, first, _second, invoice = shipped
    client.force_login(people["m2"])
    for url in (
        f"/shipping/{first.pk}/",
        f"/shipping/{first.pk}/packing-list.pdf",
        f"/shipping/{first.pk}/commercial-invoice.pdf",
        f"/ledger/invoices/{invoice.pk}/",
        f"/ledger/invoices/{invoice.pk}/invoice.pdf",
        f"/shipping/new/{order.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/ledger/").content.decode()
    assert first.number not in page
    assert "SH2026" not in client.get("/shipping/").content.decode()


def test_shipment_form_refuses_an_over_shipment_with_the_services_message(client, people, shipped):
    order, *_ = shipped
    client.force_login(people["m1"])
    line = order.lines.get(line_no=1)
    data = {
        "ship_date": DAY.isoformat(),
        "expected_arrival": (DAY + dt.timedelta(days=2)).isoformat(),
        "carrier": "顺丰",
        "tracking_number": "SF1",
        f"line-{line.pk}-quantity": "44",  # 60 shipped, at most 103
    }
    with today(DAY):
        response = client.post(f"/shipping/new/{order.pk}/", data)
    assert response.status_code == 400
    assert "at most 43 more, not 44" in response.content.decode()
    assert Shipment.objects.count() == 2
    data[f"line-{line.pk}-quantity"] = "40"
    with today(DAY):
        response = client.post(f"/shipping/new/{order.pk}/", data)
    assert response.status_code == 302 and Shipment.objects.count() == 3


def test_receipt_form_shows_the_ship_date_refusal(client, people, shipped):
    _order, _first, second, _invoice = shipped
    client.force_login(people["m1"])
    with today(DAY):
        response = client.post(f"/shipping/{second.pk}/receive/", {"received_on": "2026-12-09"}, follow=True)
    assert "before the ship date" in response.content.decode()
    second.refresh_from_db()
    assert second.received_on is None


def test_documents_are_pdfs_and_audited(client, people, shipped):
    _order, first, *_ = shipped
    client.force_login(people["m1"])
    for document in ("delivery-note", "packing-list", "commercial-invoice"):
        response = client.get(f"/shipping/{first.pk}/{document}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="print", object_ref=first.number).count() == 3


def test_exports_open_with_openpyxl_and_match_the_screen(client, people, shipped):
    client.force_login(people["m1"])
    screen = ledger_totals(ledger_views(user=people["m1"]))
    with today(DAY):
        response = client.get("/ledger/export.xlsx")
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    amount = rows[0].index("金额")
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][amount])) == screen.amount == Decimal("2350.00")
    page = client.get("/ledger/").content.decode()
    shown = re.search(r'data-testid="total-amount">([^<]+)<', page).group(1)
    assert Decimal(shown.replace(",", "")) == screen.amount  # the screen's total
    response = client.get("/ledger/receivables.xlsx?as_of=2026-12-31")
    sheets = load_workbook(io.BytesIO(response.content), read_only=True).worksheets
    detail = list(sheets[0].iter_rows(values_only=True))
    ageing = receivables_ageing(user=people["m1"], as_of=dt.date(2026, 12, 31))
    assert Decimal(str(detail[-1][detail[0].index("未收金额")])) == ageing["total"] == Decimal("650.00")
    page = client.get("/ledger/receivables/?as_of=2026-12-31").content.decode()
    shown = re.search(r'data-testid="ageing-total">([^<]+)<', page).group(1)
    assert Decimal(shown.replace(",", "")) == ageing["total"]
    assert AuditLog.objects.filter(action="export", what__in=["ledger", "receivables"]).count() == 2


def test_api_refusals_are_4xx_with_codes_and_save_nothing(people, shipped):
    order, first, second, invoice = shipped
    m1, finance = Api(people["m1"]), Api(people["finance"])
    line = order.lines.get(line_no=1)
    with today(DAY):
        response = m1.post(
            "/shipping",
            {
                "order": order.pk,
                "ship_date": "2026-12-10",
                "expected_arrival": "2026-12-12",
                "carrier": "顺丰",
                "tracking_number": "SF2",
                "lines": [{"order_line": line.pk, "quantity": "44"}],
            },
        )
        assert response.status_code == 400 and response.json()["code"] == "over_shipment"
        response = finance.post(
            "/ledger/payments",
            {"received_on": "2026-12-10", "allocations": [{"invoice": invoice.pk, "amount": "650.01"}]},
        )
        assert response.status_code == 400 and response.json()["code"] == "payment_exceeds_open"
        sl = second.lines.get()
        response = m1.post(
            "/ledger/invoices",
            {"invoice_date": "2026-12-10", "lines": [{"shipment_line": sl.pk, "quantity": "201"}]},
        )
        assert response.status_code == 400 and response.json()["code"] == "invoice_over_shipped"
        response = m1.post(f"/shipping/{second.pk}/receive", {"received_on": "2026-12-09"})
        assert response.status_code == 400 and "received_on" in response.json()["extra"]["fields"]
    assert Shipment.objects.count() == 2 and Invoice.objects.count() == 1 and Payment.objects.count() == 1
    # reads
    entries = m1.get("/ledger/entries").json()
    assert Decimal(entries["totals"]["amount"]) == Decimal("2350.00") and len(entries["entries"]) == 2
    assert Api(people["m2"]).get("/ledger/entries").json()["entries"] == []
    assert Api(people["m2"]).get(f"/ledger/invoices/{invoice.pk}").status_code == 404
    assert m1.get("/ledger/reconcile").status_code == 403
    assert Api(people["auditor"]).get("/ledger/reconcile").json()["ok"] is True
    ageing = m1.get("/ledger/ageing", as_of="2026-12-31").json()
    assert Decimal(ageing["totals"]["0-30"]) == Decimal("650.00")
    assert m1.get(f"/shipping/{first.pk}").json()["number"] == first.number


def test_api_happy_path_ship_invoice_pay(people, customer, product):
    order = order_in_production(people, customer, product)
    m1, finance = Api(people["m1"]), Api(people["finance"])
    lines = {line.line_no: line.pk for line in order.lines.all()}
    with today(DAY):
        response = m1.post(
            "/shipping",
            {
                "order": order.pk,
                "ship_date": "2026-12-10",
                "expected_arrival": "2026-12-12",
                "carrier": "德邦",
                "tracking_number": "DB1",
                "lines": [
                    {
                        "order_line": lines[1],
                        "quantity": "100",
                        "cartons": 4,
                        "gross_weight_kg": "40.5",
                        "net_weight_kg": "38",
                    }
                ],
            },
        )
        assert response.status_code == 201, response.content
        shipment = response.json()
        assert shipment["total_amount"] == "1250.00" and shipment["order"]["status"] == "partially_shipped"
        response = m1.post("/ledger/invoices", {"invoice_date": "2026-12-10", "shipments": [shipment["id"]]})
        assert response.status_code == 201, response.content
        invoice = response.json()
        response = finance.post(
            "/ledger/payments",
            {
                "received_on": "2026-12-10",
                "amount": "1250.00",
                "allocations": [{"invoice": invoice["id"], "amount": "1250.00"}],
            },
        )
        assert response.status_code == 201, response.content
    assert m1.get(f"/ledger/invoices/{invoice['id']}").json()["payment_state"] == "paid"
    assert {e["state"] for e in m1.get("/ledger/entries").json()["entries"]} == {"paid"}


ODD = ["0", "-1", "abc", str(2**63), "1e309"]
ODD_BODIES = [
    b"",
    b"null",
    b"[]",
    b"{",
    b'{"lines": [{"quantity": 1e999}]}',
    json.dumps({"order": True, "lines": [None]}).encode(),
]


def test_odd_input_never_gives_a_server_error(people, shipped):
    document = Client().get("/api/v1/openapi.json").json()
    prefixes = (
        "/api/v1/shipping",
        "/api/v1/ledger",
        "/api/v1/quotes",
        "/api/v1/complaints",
        "/api/v1/visits",
    )
    operations = [(p, m) for p, ops in document["paths"].items() for m in ops if p.startswith(prefixes)]
    assert len(operations) >= 30
    _token, key = api_token_create(user=people["admin"], name="fuzz")
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for path, method in operations:
        for value in ODD:
            url = path
            for name in (
                "shipment_id",
                "sample_id",
                "invoice_id",
                "quotation_id",
                "inquiry_id",
                "complaint_id",
                "visit_id",
            ):
                url = url.replace("{" + name + "}", value)
            url = url.replace("{action}", "close")
            for body in ODD_BODIES if method == "post" else [None]:
                if body is None:
                    response = client.get(url, {"as_of": value, "status": value}, **headers)
                else:
                    response = client.post(url, body, content_type="application/json", **headers)
                assert response.status_code < 500, (method, url, body, response.status_code)
                if response.status_code >= 400:
                    assert {"message", "code", "extra"} <= set(response.json()), (url, response.content)
