import pytest

from gendan.accounts.services import api_token_create
from gendan.complaints.services import complaint_register
from gendan.followup.services import exception_raise
from tests.api.conftest import ApiClient
from tests.q2c import order_in_production

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def order(people, customer, product):
    """m1's order in production: seen by m1, sup, sales, planner, reviewers, gm, auditor, admin; not by m2,
    m3, sup2."""
    return order_in_production(people, customer, product)


@pytest.fixture
def exception(order, people):
    return exception_raise(order=order, actor=people["m1"], type="material", title="面料延期")


@pytest.fixture
def complaint(order, people):
    return complaint_register(
        actor=people["m1"],
        data={"order": order.pk, "type": "quality", "severity": "minor", "description": "领口开线"},
    )


@pytest.fixture
def api(people):
    def client(name: str) -> ApiClient:
        key = api_token_create(user=people[name], name="test")[1]
        return ApiClient(key)

    return client
