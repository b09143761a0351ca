"""The order page's action table (gendan/orders/actions.py): the screen and the API read the same rows."""

from gendan.orders import views
from gendan.orders.actions import ORDER_ACTIONS
from gendan.orders.api import OrderAction
from gendan.orders.selectors import ORDER_PAGE_ACTIONS
from gendan.orders.workflows import REASON_REQUIRED


def test_one_table_for_the_screen_and_the_api():
    # every action the page offers is in the table, and the API's path parameter admits exactly the table's
    assert set(ORDER_PAGE_ACTIONS) <= set(ORDER_ACTIONS)
    assert {a.value for a in OrderAction} == set(ORDER_ACTIONS)
    assert set(views.ACTION_LABELS) == set(ORDER_ACTIONS)


def test_reasons_and_inputs_are_declared_once():
    for name, spec in ORDER_ACTIONS.items():
        assert spec.name == name
        assert (spec.reason == "required") == (name in REASON_REQUIRED), name
    assert ORDER_ACTIONS["cancel_rest"].fields == ("line_no", "quantity")
    assert ORDER_ACTIONS["close_short"].fields == ("customer_contact",)
    rows = {row["name"]: row for row in views._action_rows(["close_short", "cancel_rest", "close"])}
    assert rows["close_short"]["reason_required"] and rows["close_short"]["style"] == "danger"
    assert rows["close"]["note_allowed"] and not rows["close"]["reason_required"]
