from types import SimpleNamespace

from gendan.orders.templatetags.order_tags import order_status_badge


def _order(**changes):
    values = {"status": "released", "is_date_risk": False, "original_pending": False}
    values.update(changes)
    order = SimpleNamespace(**values)
    order.get_status_display = lambda: "Released <b>"
    return order


def test_badge_shows_status_and_escapes():
    html = order_status_badge(_order())
    assert html == (
        '<span class="badge status-released" data-testid="order-status" data-status="released">'
        "Released &lt;b&gt;</span>"
    )


def test_badge_marks_date_risk_and_pending_original():
    html = order_status_badge(_order(is_date_risk=True, original_pending=True))
    assert (
        ' <span class="badge risk" data-testid="date-risk" title="Promised earlier than feasible">Date risk</span>'
        in html
    )
    assert html.endswith(' <span class="badge amber" data-testid="original-pending">Original pending</span>')
