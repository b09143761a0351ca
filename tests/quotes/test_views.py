import datetime as dt
from decimal import Decimal

from gendan.orders.models import Order
from gendan.quotes.models import Inquiry, Quotation, QuotationStatus
from tests.q2c import today

DAY = dt.date(2026, 11, 20)


def test_inquiry_then_quotation_then_order_through_the_screens(client, people, customer, product):
    client.force_login(people["sales"])
    with today(DAY):
        response = client.post(
            "/quotes/inquiries/new/",
            {
                "customer": customer.code,
                "subject": "秋冬卫衣",
                "received_at": "2026-11-19",
                "items": f"{product.code}, 500, 30\n手提袋, 500",
            },
        )
        inquiry = Inquiry.objects.get()
        assert response.status_code == 302 and inquiry.items.count() == 2
        assert inquiry.items.get(line_no=2).description == "手提袋"
        page = client.get(f"/quotes/new/?inquiry={inquiry.pk}").content.decode()
        assert f'value="{product.code}"' in page
        response = client.post(
            "/quotes/new/",
            {
                "customer": customer.code,
                "inquiry": inquiry.pk,
                "quote_date": "2026-11-20",
                "valid_until": "2026-12-20",
                "overhead_percent": "10",
                "margin_percent": "20",
                "line_count": "1",
                "l0-product": product.code,
                "l0-quantity": "500",
                "l0-processing_cost": "5",
                "l0-materials": "抓毛布, 0.5, 4, 30\n罗纹, 0.05, , 40",
            },
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
        quotation = Quotation.objects.get()
        # materials 0.5 × 1.04 × 30 = 15.6 + 2 = 17.6; direct 22.6; +10 % 24.86; +20 % 29.832
        assert quotation.lines.get().unit_price == Decimal("29.8320")
        assert client.get(f"/quotes/{quotation.pk}/").status_code == 200
        assert client.get(f"/quotes/{quotation.pk}/quotation.pdf")["Content-Type"] == "application/pdf"
        client.post(f"/quotes/{quotation.pk}/action/send/")
        response = client.post(
            f"/quotes/{quotation.pk}/action/accept/", {"customer_po": "W-1", "requested_date": "2027-01-30"}
        )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.ACCEPTED and quotation.order == order


def test_quotation_form_shows_field_errors(client, people, customer, product):
    client.force_login(people["sales"])
    with today(DAY):
        response = client.post(
            "/quotes/new/",
            {
                "customer": customer.code,
                "valid_until": "",
                "line_count": "1",
                "l0-product": "NOPE",
                "l0-quantity": "1",
            },
        )
    assert response.status_code == 400
    assert "Unknown product." in response.content.decode() or "未知" in response.content.decode()
    assert not Quotation.objects.exists()
