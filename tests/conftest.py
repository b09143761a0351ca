import pytest

from gendan.accounts import roles as R
from tests.factories import CustomerFactory, ProductFactory, make_user


@pytest.fixture
def people(db):
    """One user per role; two merchandisers under one supervisor, a third under another."""
    sup = make_user("sup", R.SUPERVISOR, department="merchandising")
    sup2 = make_user("sup2", R.SUPERVISOR, department="merchandising")
    return {
        "admin": make_user("admin", R.ADMIN, department="management"),
        "gm": make_user("gm", R.GENERAL_MANAGER, department="management"),
        "sup": sup,
        "sup2": sup2,
        "m1": make_user("m1", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m2": make_user("m2", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m3": make_user("m3", R.MERCHANDISER, department="merchandising", supervisor=sup2),
        "sales": make_user("sales", R.SALES, department="business", supervisor=sup),
        "planner": make_user("planner", R.PLANNER, department="planning"),
        "tech": make_user("tech", R.REVIEWER, department="technical"),
        "purchasing": make_user("purchasing", R.REVIEWER, department="purchasing"),
        "qc": make_user("qc", R.REVIEWER, department="quality"),
        "finance": make_user("finance", R.REVIEWER, department="finance"),
        "auditor": make_user("auditor", R.AUDITOR, department="management"),
    }


@pytest.fixture
def customer(people):
    return CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])


@pytest.fixture
def other_customer(people):
    return CustomerFactory(merchandiser=people["m3"])


@pytest.fixture
def product(db):
    return ProductFactory()
