"""GET /api/v1/orders/{id}: the agreed delivery date history (issue 14 item 2)."""

import datetime as dt

from django.test import Client

from tests.orders.test_promises import _history


def test_the_api_order_detail_lists_the_promises(people, customer, product, api):
    order, first = _history(people, customer, product)
    detail = api("m1").get(f"/orders/{order.pk}").json()
    assert detail["original_promised_date"] == first.isoformat()
    assert detail["promised_date"] == (first + dt.timedelta(days=10)).isoformat()
    assert detail["kpi_promised_date"] == (first + dt.timedelta(days=7)).isoformat()
    assert [(p["cause"], p["previous_date"], p["source"]) for p in detail["promises"]] == [
        ("initial", None, "review"),
        ("customer", first.isoformat(), "CR2026-000003"),
        ("internal", (first + dt.timedelta(days=7)).isoformat(), ""),
    ]
    assert detail["promises"][1]["cause_label"] == "客户原因"  # the API speaks the default language
    assert detail["promises"][2]["agreed_by"]["username"] == "sup"
    assert detail["promises"][2]["reason"] == "面料晚到 <b>"
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"promises", "original_promised_date", "kpi_promised_date"} <= set(
        schema["OrderOut"]["properties"]
    )
    assert "cause" in schema["PromiseOut"]["properties"]
