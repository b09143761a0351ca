"""Outsourcing through the API and the screens; another merchandiser's outsourcing orders are 404 and absent
from lists and statements."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from gendan.core.models import AuditLog
from gendan.outsourcing.models import OutsourcingOrder, OutsourcingStatus
from tests.outsourcing.conftest import frozen

D = dt.date


def test_api_flow_and_scope(api, order, other_order, printer):
    m1 = api("m1")
    with frozen(D(2026, 11, 27)):
        plan = m1.post(
            "/outsourcing/plan",
            {
                "order_id": order.pk,
                "process": "printing",
                "subcontractor_id": printer.pk,
                "quantity": "300",
                "planned_send_date": "2026-11-28",
                "planned_return_date": "2026-12-03",
            },
        )
        assert plan.status_code == 201, plan.content
        item = plan.json()
        dates = {k: item[k] for k in ("planned_send_date", "planned_return_date")}
        base = {**dates, "order_id": order.pk, "process": "printing", "subcontractor_id": printer.pk}
        changed = m1.post(
            f"/outsourcing/plan/{item['id']}", {**base, "quantity": "280", "version": item["version"]}
        )
        assert changed.status_code == 200, changed.content
        assert (Decimal(changed.json()["quantity"]), changed.json()["version"]) == (Decimal("280"), 2)
        stale = m1.post(f"/outsourcing/plan/{item['id']}", {**base, "quantity": "300", "version": 1})
        assert stale.status_code == 409
        back = m1.post(f"/outsourcing/plan/{item['id']}", {**base, "quantity": "300", "version": 2})
        assert back.status_code == 200
        created = m1.post(
            "/outsourcing/orders",
            {"order_id": order.pk, "plan_item_id": plan.json()["id"], "unit_price": "1.25"},
        )
        assert created.status_code == 201, created.content
        oo = created.json()
        assert (oo["number"], oo["status"], Decimal(oo["amount"]), oo["due_date"]) == (
            "WX2026-000001",
            "draft",
            Decimal("375.00"),
            "2026-12-03",
        )
        assert m1.post(f"/outsourcing/orders/{oo['id']}/issue").json()["status"] == "issued"
    with frozen(D(2026, 11, 28)):
        sent = m1.post(f"/outsourcing/orders/{oo['id']}/dispatches", {"quantity": "300"})
        assert sent.status_code == 201, sent.content
        too_much = m1.post(f"/outsourcing/orders/{oo['id']}/dispatches", {"quantity": "1"})
        assert too_much.status_code == 400 and "quantity" in too_much.json()["extra"]["fields"]
        assert m1.post(f"/outsourcing/orders/{oo['id']}/dispatches", {"quantity": "0"}).status_code == 422
    with frozen(D(2026, 12, 2)):
        returned = m1.post(
            f"/outsourcing/orders/{oo['id']}/returns",
            {"quantity_returned": "120", "quantity_defective": "6", "inspection_note": "6 件漏印"},
        )
        assert returned.status_code == 201, returned.content
        body = returned.json()
    assert body["status"] == "partially_returned"
    assert (Decimal(body["quantity_at_subcontractor"]), Decimal(body["quantity_outstanding"])) == (180, 180)
    (ret,) = body["returns"]
    assert (Decimal(ret["fee_amount"]), Decimal(ret["deduction_amount"]), Decimal(ret["net_amount"])) == (
        Decimal("150.00"),
        Decimal("7.50"),
        Decimal("142.50"),
    )
    statement = m1.get("/outsourcing/statement", subcontractor_id=printer.pk, year=2026, month=12).json()
    assert (statement["month"], Decimal(statement["total_fee"]), Decimal(statement["total_net"])) == (
        "2026-12",
        Decimal("150.00"),
        Decimal("142.50"),
    )
    # scope: m2 sees nothing of m1's outsourcing
    m2 = api("m2")
    assert m2.get(f"/outsourcing/orders/{oo['id']}").status_code == 404
    assert m2.get("/outsourcing/orders").json()["items"] == []
    assert m2.post(f"/outsourcing/orders/{oo['id']}/returns", {"quantity_returned": "1"}).status_code == 404
    assert (
        m2.get("/outsourcing/statement", subcontractor_id=printer.pk, year=2026, month=12).json()["rows"]
        == []
    )
    assert m2.get("/outsourcing/plan", order_id=order.pk).status_code == 404
    # bad parameters
    assert (
        m1.get("/outsourcing/statement", subcontractor_id=printer.pk, year=2026, month=13).status_code == 422
    )
    assert m1.get("/outsourcing/scorecard", date_from="2026-12-31", date_to="2026-12-01").status_code == 400
    listed = m1.get("/outsourcing/orders", status="open").json()
    assert [i["number"] for i in listed["items"]] == ["WX2026-000001"]


def test_screens(web, people, order, other_order, printer):
    m1 = web("m1")
    with frozen(D(2026, 11, 27)):
        response = m1.post(
            f"/outsourcing/orders/{order.pk}/",
            {
                "process": "embroidery",
                "subcontractor": str(printer.pk),
                "quantity": "100",
                "planned_send_date": "2026-11-28",
                "planned_return_date": "2026-12-01",
            },
        )
        assert response.status_code == 302
        bad = m1.post(
            f"/outsourcing/orders/{order.pk}/new/", {"subcontractor": str(printer.pk), "quantity": "-1"}
        )
        assert bad.status_code == 200 and 'data-testid="error-quantity"' in bad.content.decode()
        response = m1.post(
            f"/outsourcing/orders/{order.pk}/new/",
            {
                "subcontractor": str(printer.pk),
                "process": "embroidery",
                "quantity": "100",
                "unit_price": "0.5",
                "due_date": "2026-12-01",
                "quality_requirements": "线色按色卡",
            },
        )
        oo = OutsourcingOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/outsourcing/{oo.pk}/"
        edit = m1.get(f"/outsourcing/{oo.pk}/edit/")
        assert edit.status_code == 200 and "线色按色卡" in edit.content.decode()
        assert 'data-testid="oo-issue"' in m1.get(f"/outsourcing/{oo.pk}/").content.decode()
        m1.post(f"/outsourcing/{oo.pk}/issue/")
        assert m1.get(f"/outsourcing/{oo.pk}/edit/").status_code == 302  # issued: no more editing
        refused = m1.post(f"/outsourcing/{oo.pk}/edit/", {"unit_price": "0.01", "version": "2"})
        assert refused.status_code == 302
        oo.refresh_from_db()
        assert (oo.status, oo.unit_price) == (OutsourcingStatus.ISSUED, Decimal("0.5"))
    with frozen(D(2026, 11, 28)):
        m1.post(f"/outsourcing/{oo.pk}/dispatch/", {"quantity": "100", "dispatched_on": "2026-11-28"})
        over = m1.post(
            f"/outsourcing/{oo.pk}/return/", {"quantity_returned": "101", "returned_on": "2026-11-28"}
        )
        assert over.status_code == 400 and 'data-testid="error-quantity_returned"' in over.content.decode()
        m1.post(
            f"/outsourcing/{oo.pk}/return/",
            {"quantity_returned": "100", "quantity_defective": "3", "returned_on": "2026-11-28"},
        )
    oo.refresh_from_db()
    assert (oo.status, oo.quantity_returned, oo.quantity_defective) == (OutsourcingStatus.RETURNED, 100, 3)
    page = m1.get(f"/outsourcing/{oo.pk}/").content.decode()
    assert 'data-testid="oo-outstanding">0<' in page
    assert m1.get(f"/outsourcing/orders/{order.pk}/").status_code == 200
    assert m1.get("/outsourcing/scorecard/").status_code == 200
    # the statement as a page and as Excel (logged)
    page = m1.get(
        "/outsourcing/statement/", {"subcontractor": printer.pk, "month": "2026-11"}
    ).content.decode()
    assert 'data-testid="statement-net">48.50<' in page  # 100 × 0.50 − 3 × 0.50
    xlsx = m1.get(
        "/outsourcing/statement/", {"subcontractor": printer.pk, "month": "2026-11", "format": "xlsx"}
    )
    assert xlsx.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["对账单"].iter_rows(values_only=True))
    assert rows[-1][1] == "合计" and Decimal(str(rows[-1][12])) == Decimal("48.5")
    assert AuditLog.objects.filter(what="outsourcing_fee_statement", actor=people["m1"]).exists()
    # scope: another merchandiser gets 404 on the pages, and the list and statement leave the order out
    m2 = web("m2")
    assert m2.get(f"/outsourcing/{oo.pk}/").status_code == 404
    assert m2.get(f"/outsourcing/{oo.pk}/pdf/").status_code == 404
    assert m2.get(f"/outsourcing/orders/{order.pk}/").status_code == 404
    assert oo.number not in m2.get("/outsourcing/", {"status": ""}).content.decode()
    page = m2.get(
        "/outsourcing/statement/", {"subcontractor": printer.pk, "month": "2026-11"}
    ).content.decode()
    assert oo.number not in page
    assert m2.post(f"/outsourcing/{oo.pk}/close/").status_code == 404
