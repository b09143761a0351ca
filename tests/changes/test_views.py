"""The change request screens: raise from the order page, sign, approve, the revision history, the list."""

from gendan.changes.models import ChangeRequest, ChangeStatus
from tests.changes.conftest import proposal
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _post_data(order, **changes):
    data = proposal(order)
    post = {
        key: data[key]
        for key in ("customer_po", "requested_date", "promised_date", "payment_terms", "requirements")
    }
    post.update(reason="客户邮件改单", cause="customer", **{"lines-TOTAL": str(len(data["lines"]) + 1)})
    for index, line in enumerate(data["lines"]):
        for key, value in line.items():
            post[f"lines-{index}-{key}"] = "" if value is None else value
    post.update(changes)
    return post


def test_raise_sign_approve_through_the_pages(client, people, released):
    _login(client, people["m1"])
    page = client.get(f"/orders/{released.pk}/")
    assert b'data-testid="order-change"' in page.content
    form = client.get(f"/changes/orders/{released.pk}/new")
    assert form.status_code == 200 and b'data-testid="cr-line"' in form.content
    # a quantity below zero is a field error next to the line
    bad = client.post(
        f"/changes/orders/{released.pk}/new",
        _post_data(released, **{"lines-0-quantity": "-1", "lines-0-sizes": ""}),
    )
    assert bad.status_code == 200 and b'data-testid="error-lines-quantity"' in bad.content
    response = client.post(
        f"/changes/orders/{released.pk}/new",
        _post_data(released, **{"lines-1-color": "黑"}),
    )
    cr = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/changes/{cr.pk}/"
    assert sorted(cr.items.values_list("department", flat=True)) == ["quality", "technical"]
    detail = client.get(f"/changes/{cr.pk}/")
    assert b"cr-sign-" not in detail.content  # the merchandiser signs for no department
    for who in ("tech", "qc"):
        _login(client, people[who])
        assert b"cr-awaiting-row" in client.get("/changes/").content
        item = cr.items.get(department="technical" if who == "tech" else "quality")
        client.post(f"/changes/{cr.pk}/items/{item.pk}/sign", {"result": "pass"})
    _login(client, people["planner"])
    assert b"cr-awaiting-row" not in client.get("/changes/").content
    _login(client, people["sup"])
    client.post(f"/changes/{cr.pk}/approve", {"note": "同意"})
    cr.refresh_from_db()
    assert cr.status == ChangeStatus.APPROVED
    history = client.get(f"/changes/orders/{released.pk}/revisions/")
    assert history.status_code == 200 and b'data-number="1"' in history.content
    assert "黑".encode() in history.content


def test_out_of_scope_pages_are_404(client, people, released):
    _login(client, people["m3"])
    assert client.get(f"/changes/orders/{released.pk}/new").status_code == 404
    assert client.get(f"/changes/orders/{released.pk}/revisions/").status_code == 404


def test_the_reprinted_documents_say_which_revision_and_what_changed(people, released):
    from django.urls import reverse

    from gendan.changes.services import change_request_approve, change_request_raise
    from tests.changes.conftest import sign_all
    from tests.files.conftest import client_for, pdf_text

    data = proposal(released)
    data["lines"][0].update(quantity="120", sizes="S:36 M:48 L:36")
    cr = change_request_raise(
        order=released, actor=people["m1"], data=data, reason="客户加单", cause="customer"
    )
    sign_all(cr, people)
    change_request_approve(change_request=cr, actor=people["sup"])
    client = client_for(people["m1"])
    notice = pdf_text(client.get(reverse("order_notice_pdf", args=[released.pk])).content)
    assert "第 1 次修订" in notice and cr.number in notice
    assert "第1行" in notice and "100 → 120" in notice
    review = released.reviews.get()
    form = pdf_text(client.get(f"/reviews/{review.pk}/form.pdf").content)
    assert "第 1 次修订" in form and "120" in form
